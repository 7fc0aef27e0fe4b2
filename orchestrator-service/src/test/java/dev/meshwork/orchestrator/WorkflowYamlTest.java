package dev.meshwork.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshwork.api.orchestrator.v1.FailureAction;
import dev.meshwork.api.orchestrator.v1.WorkflowSpec;
import dev.meshwork.core.ErrorCode;
import dev.meshwork.core.MeshException;
import org.junit.jupiter.api.Test;

class WorkflowYamlTest {

  @Test
  void parse_protoJsonMappingInYaml_buildsSpec() {
    WorkflowSpec spec =
        WorkflowYaml.parse(
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

    assertThat(spec.getName()).isEqualTo("review");
    assertThat(spec.getTimeout().getSeconds()).isEqualTo(60);
    assertThat(
            spec.getSteps(0).getInput().getStructValue().getFieldsOrThrow("url").getStringValue())
        .isEqualTo("{{ input.url }}");
    assertThat(spec.getSteps(1).getDependsOnList()).containsExactly("fetch");
    assertThat(spec.getSteps(1).getRetry().getMaxAttempts()).isEqualTo(5);
    assertThat(spec.getSteps(1).getRetry().getInitialBackoff().getNanos()).isEqualTo(100_000_000);
    assertThat(spec.getSteps(1).getOnFailure()).isEqualTo(FailureAction.FAILURE_ACTION_FALLBACK);
  }

  @Test
  void parse_camelCaseNames_accepted() {
    WorkflowSpec spec = WorkflowYaml.parse("name: a\nsteps: [{id: x, skill: s, dependsOn: [y]}]\n");

    assertThat(spec.getSteps(0).getDependsOnList()).containsExactly("y");
  }

  @Test
  void parse_unknownField_invalidArgumentOnWorkflow() {
    assertThatThrownBy(() -> WorkflowYaml.parse("name: a\nstepz: []\n"))
        .isInstanceOfSatisfying(
            MeshException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
              assertThat(e.violations())
                  .singleElement()
                  .satisfies(
                      v -> {
                        assertThat(v.field()).isEqualTo("workflow");
                        assertThat(v.description()).contains("stepz");
                      });
            });
  }

  @Test
  void parse_malformedYaml_reportsLine() {
    assertThatThrownBy(() -> WorkflowYaml.parse("name: a\nsteps: [\n  - x: : :\n"))
        .isInstanceOfSatisfying(
            MeshException.class,
            e -> assertThat(e.violations().get(0).description()).contains("malformed YAML"));
  }

  @Test
  void parse_notAMapping_rejected() {
    assertThatThrownBy(() -> WorkflowYaml.parse("- a\n- b\n"))
        .isInstanceOfSatisfying(
            MeshException.class,
            e -> assertThat(e.violations().get(0).description()).contains("not a mapping"));
  }

  @Test
  void toJson_roundTripsThroughParse() {
    WorkflowSpec spec = WorkflowYaml.parse("name: a\nsteps: [{id: x, skill: s, timeout: 2s}]\n");

    assertThat(WorkflowYaml.parse(WorkflowYaml.toJson(spec))).isEqualTo(spec);
  }
}
