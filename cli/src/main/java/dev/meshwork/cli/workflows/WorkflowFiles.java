package dev.meshwork.cli.workflows;

import dev.meshwork.api.orchestrator.v1.WorkflowSpec;
import dev.meshwork.cli.MeshctlException;
import dev.meshwork.cli.input.ProtoJsonReader;
import dev.meshwork.cli.input.YamlDocument;
import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads workflow files: YAML whose schema is the proto JSON mapping of {@link WorkflowSpec} (field
 * names as in the proto, durations like {@code "30s"}, enums by name). Problems are reported as
 * {@code <file>:<line>: <field>: <problem>} with exit code 2.
 *
 * <pre>
 * name: review
 * timeout: 60s
 * steps:
 *   - id: fetch
 *     skill: web.fetch
 *     input: { url: "{{ input.url }}" }
 *   - id: summarize
 *     skill: text.summarize
 *     depends_on: [fetch]
 * </pre>
 */
public final class WorkflowFiles {

  private WorkflowFiles() {}

  /**
   * Reads and maps {@code file}; the orchestrator validates the result.
   *
   * @throws MeshctlException (usage) for a missing file, malformed YAML or a field that does not
   *     map onto {@code WorkflowSpec}
   */
  public static WorkflowSpec read(Path file) {
    return parse(file.toString(), text(file));
  }

  /** Maps YAML {@code text} read from {@code source}; see {@link #read}. */
  public static WorkflowSpec parse(String source, String text) {
    WorkflowSpec.Builder spec = WorkflowSpec.newBuilder();
    ProtoJsonReader.merge(YamlDocument.parse(source, text), spec);
    return spec.build();
  }

  /**
   * The UTF-8 text of {@code file}.
   *
   * @throws MeshctlException (usage) when it cannot be read
   */
  public static String text(Path file) {
    if (!Files.isRegularFile(file)) {
      throw MeshctlException.usage("no such file: " + file);
    }
    try {
      return Files.readString(file);
    } catch (MalformedInputException e) {
      throw MeshctlException.usage(file + ": not UTF-8 text", e);
    } catch (IOException e) {
      throw MeshctlException.usage("cannot read " + file + ": " + e.getMessage(), e);
    }
  }
}
