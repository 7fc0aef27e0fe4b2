package dev.meshwork.cli.runs;

import com.google.protobuf.Struct;
import dev.meshwork.cli.MeshctlException;
import dev.meshwork.cli.input.ProtoJsonReader;
import dev.meshwork.cli.input.YamlDocument;
import dev.meshwork.cli.workflows.WorkflowFiles;
import java.nio.file.Path;

/** The run input: a JSON object given inline or in a file (JSON or YAML). */
final class RunInput {

  private RunInput() {}

  /** An inline JSON object. */
  static Struct inline(String json) {
    return parse("--input", json);
  }

  /** A JSON or YAML file holding one object. */
  static Struct file(Path file) {
    return parse(file.toString(), WorkflowFiles.text(file));
  }

  private static Struct parse(String source, String text) {
    YamlDocument document = YamlDocument.parse(source, text);
    if (!document.tree().isObject()) {
      throw MeshctlException.usage(
          source + ": the run input must be a JSON object, e.g. {\"url\": \"https://...\"}");
    }
    Struct.Builder input = Struct.newBuilder();
    ProtoJsonReader.merge(document, input);
    return input.build();
  }
}
