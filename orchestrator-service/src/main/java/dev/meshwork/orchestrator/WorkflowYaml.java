package dev.meshwork.orchestrator;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.meshwork.api.orchestrator.v1.WorkflowSpec;
import dev.meshwork.core.MeshException;

/**
 * Reads workflows written in YAML. The YAML's schema is the proto JSON mapping of {@link
 * WorkflowSpec} (YAML -> JSON -> {@link JsonFormat}), so there is no second schema to keep in step:
 * field names are the proto's ({@code depends_on} or {@code dependsOn}), durations are strings like
 * {@code "30s"}, enums their names. Unknown fields are rejected, so a typo does not pass silently.
 *
 * <pre>{@code
 * WorkflowSpec spec = WorkflowYaml.parse(Files.readString(Path.of("wf.yaml")));
 * }</pre>
 */
public final class WorkflowYaml {

  private static final YAMLMapper YAML = new YAMLMapper();
  private static final ObjectMapper JSON = new ObjectMapper();

  private WorkflowYaml() {}

  /**
   * Parses one workflow; it is not validated yet.
   *
   * @throws MeshException {@code INVALID_ARGUMENT} on field {@code workflow} for malformed YAML or
   *     a document that does not map onto {@code WorkflowSpec}
   */
  public static WorkflowSpec parse(String yaml) {
    JsonNode tree;
    try {
      tree = YAML.readTree(yaml);
    } catch (JacksonException e) {
      throw MeshException.invalidArgument(
          "workflow",
          "malformed YAML: "
              + e.getOriginalMessage()
              + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr()));
    }
    if (tree == null || !tree.isObject()) {
      throw MeshException.invalidArgument(
          "workflow", "not a mapping (expected: a WorkflowSpec with name and steps)");
    }
    WorkflowSpec.Builder builder = WorkflowSpec.newBuilder();
    try {
      JsonFormat.parser().merge(JSON.writeValueAsString(tree), builder);
    } catch (InvalidProtocolBufferException | JacksonException e) {
      throw MeshException.invalidArgument("workflow", e.getMessage());
    }
    return builder.build();
  }

  /** The proto JSON mapping of {@code spec} (what {@link #parse} reads, as JSON). */
  public static String toJson(WorkflowSpec spec) {
    try {
      return JsonFormat.printer().preservingProtoFieldNames().print(spec);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("cannot print a workflow", e);
    }
  }
}
