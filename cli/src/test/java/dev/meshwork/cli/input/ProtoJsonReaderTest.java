package dev.meshwork.cli.input;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Struct;
import dev.meshwork.api.orchestrator.v1.FailureAction;
import dev.meshwork.api.orchestrator.v1.WorkflowSpec;
import dev.meshwork.cli.MeshctlException;
import org.junit.jupiter.api.Test;

class ProtoJsonReaderTest {

  @Test
  void merge_protoNamesDurationsEnumsTemplates_mapped() {
    WorkflowSpec spec =
        read(
            """
            name: review
            timeout: 60s
            steps:
              - id: fetch
                skill: web.fetch
                input: { url: "{{ input.url }}" }
              - id: summarize
                skill: text.summarize
                depends_on: [fetch]
                retry: { max_attempts: 5, initial_backoff: 0.100s }
                on_failure: FAILURE_ACTION_FALLBACK
                fallback_skill: text.summarize-small
            """);

    assertThat(spec.getTimeout().getSeconds()).isEqualTo(60);
    assertThat(
            spec.getSteps(0).getInput().getStructValue().getFieldsOrThrow("url").getStringValue())
        .isEqualTo("{{ input.url }}");
    assertThat(spec.getSteps(1).getDependsOnList()).containsExactly("fetch");
    assertThat(spec.getSteps(1).getRetry().getInitialBackoff().getNanos()).isEqualTo(100_000_000);
    assertThat(spec.getSteps(1).getOnFailure()).isEqualTo(FailureAction.FAILURE_ACTION_FALLBACK);
  }

  @Test
  void merge_camelCaseNames_accepted() {
    assertThat(
            read("name: a\nsteps: [{id: x, skill: s, dependsOn: [y]}]\n")
                .getSteps(0)
                .getDependsOnList())
        .containsExactly("y");
  }

  @Test
  void merge_unknownNestedField_namesPathAndLine() {
    assertThatThrownBy(
            () ->
                read(
                    "name: a\nsteps:\n  - id: x\n    skill: s\n  - id: y\n    retry:\n"
                        + "      max_attempt: 3\n"))
        .isInstanceOf(MeshctlException.class)
        .hasMessageStartingWith(
            "wf.yaml:7: steps[1].retry.max_attempt: unknown field"
                + " (RetryPolicy has: max_attempts,");
  }

  @Test
  void merge_badDuration_namesPathAndLine() {
    assertThatThrownBy(() -> read("name: a\nsteps:\n  - id: x\n    timeout: soon\n"))
        .hasMessageStartingWith("wf.yaml:4: steps[0].timeout: ")
        .hasMessageContaining("soon");
  }

  @Test
  void merge_badEnum_listsValues() {
    assertThatThrownBy(() -> read("name: a\nmissing_skill_policy: PANIC\n"))
        .hasMessage(
            "wf.yaml:2: missing_skill_policy: 'PANIC' (expected one of:"
                + " MISSING_SKILL_POLICY_REJECT, MISSING_SKILL_POLICY_WAIT)");
  }

  @Test
  void merge_wrongShape_saysWhatWasExpected() {
    assertThatThrownBy(() -> read("name: a\nsteps:\n  - just-a-string\n"))
        .hasMessage("wf.yaml:3: steps[0]: expected a mapping (the fields of Step)");
  }

  @Test
  void merge_notAMapping_exits2() {
    assertThatThrownBy(() -> read("- a\n- b\n"))
        .isInstanceOfSatisfying(MeshctlException.class, e -> assertThat(e.exitCode()).isEqualTo(2))
        .hasMessage("wf.yaml:1: expected a mapping (the fields of WorkflowSpec)");
  }

  @Test
  void parse_malformedYaml_oneLineWithLine() {
    assertThatThrownBy(() -> YamlDocument.parse("wf.yaml", "name: a\nsteps:\n - id: x\n  bad: [\n"))
        .hasMessageStartingWith("wf.yaml:4: malformed YAML: ")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }

  @Test
  void parse_duplicateKey_rejected() {
    assertThatThrownBy(() -> YamlDocument.parse("wf.yaml", "name: a\nname: b\n"))
        .hasMessage("wf.yaml:2: malformed YAML: Duplicate field 'name'");
  }

  @Test
  void parse_empty_rejected() {
    assertThatThrownBy(() -> YamlDocument.parse("wf.yaml", "# nothing\n"))
        .hasMessage("wf.yaml: empty document");
  }

  @Test
  void merge_jsonIntoStruct_keepsTypes() {
    Struct.Builder input = Struct.newBuilder();

    ProtoJsonReader.merge(
        YamlDocument.parse("--input", "{\"n\": 3, \"tags\": [\"a\"], \"ok\": true}"), input);

    assertThat(input.getFieldsOrThrow("n").getNumberValue()).isEqualTo(3.0);
    assertThat(input.getFieldsOrThrow("tags").getListValue().getValues(0).getStringValue())
        .isEqualTo("a");
    assertThat(input.getFieldsOrThrow("ok").getBoolValue()).isTrue();
  }

  private static WorkflowSpec read(String yaml) {
    WorkflowSpec.Builder spec = WorkflowSpec.newBuilder();
    ProtoJsonReader.merge(YamlDocument.parse("wf.yaml", yaml), spec);
    return spec.build();
  }
}
