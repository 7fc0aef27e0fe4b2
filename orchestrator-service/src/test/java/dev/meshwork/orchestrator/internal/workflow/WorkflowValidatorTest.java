package dev.meshwork.orchestrator.internal.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.meshwork.api.orchestrator.v1.WorkflowSpec;
import dev.meshwork.core.FieldViolation;
import dev.meshwork.core.Violations;
import dev.meshwork.orchestrator.WorkflowYaml;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class WorkflowValidatorTest {

  private static final Duration BUDGET = Duration.ofMinutes(1);

  private static List<FieldViolation> check(String yaml) {
    Violations v = new Violations();
    WorkflowValidator.checkStructure(WorkflowYaml.parse(yaml), "", BUDGET, v);
    return v.list();
  }

  private static String steps(String body) {
    return "name: wf\nsteps:\n" + body;
  }

  @Test
  void checkStructure_validPipeline_noViolations() {
    assertThat(
            check(
                steps(
                    """
  - {id: a, skill: s.a, input: {q: "{{ input.q }}"}}
  - {id: b, skill: s.b, depends_on: [a], condition: "steps.a.output.ok == true"}
  - id: c
    skill: s.c
    depends_on: [b]
    for_each: "{{ steps.a.output.items }}"
    input: "{{ item.name }} from {{ steps.a.output.title }}"
    compensate: {skill: s.undo, input: "{{ steps.c.output }}"}
""")))
        .isEmpty();
  }

  @Test
  void checkStructure_duplicateIds_pointsAtSecond() {
    assertThat(check(steps("  - {id: a, skill: s}\n  - {id: a, skill: s}\n")))
        .extracting(FieldViolation::field, FieldViolation::description)
        .containsExactly(
            tuple("steps[1].id", "duplicate step id 'a' (also steps[0]; expected: unique ids)"));
  }

  @Test
  void checkStructure_unknownDependsOn_pointsAtEntry() {
    assertThat(check(steps("  - {id: a, skill: s}\n  - {id: b, skill: s, depends_on: [a, zz]}\n")))
        .extracting(FieldViolation::field)
        .containsExactly("steps[1].depends_on[1]");
  }

  @Test
  void checkStructure_cycle_namesTheCycle() {
    List<FieldViolation> violations =
        check(
            steps(
                """
                  - {id: a, skill: s, depends_on: [c]}
                  - {id: b, skill: s, depends_on: [a]}
                  - {id: c, skill: s, depends_on: [b]}
                """));

    assertThat(violations).hasSize(1);
    // The edge that closes the cycle: b depends on a.
    assertThat(violations.get(0).field()).isEqualTo("steps[1].depends_on[0]");
    assertThat(violations.get(0).description()).startsWith("cycle a -> c -> b -> a");
  }

  @Test
  void checkStructure_selfDependency_isACycle() {
    assertThat(check(steps("  - {id: a, skill: s, depends_on: [a]}\n")))
        .extracting(FieldViolation::field, FieldViolation::description)
        .containsExactly(
            tuple(
                "steps[0].depends_on[0]", "cycle a -> a (expected: dependencies without cycles)"));
  }

  @Test
  void checkStructure_unparseableTemplate_pointsAtInputField() {
    assertThat(check(steps("  - {id: a, skill: s, input: {q: \"{{ input.q \"}}\n")))
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.field()).isEqualTo("steps[0].input.q");
              assertThat(v.description()).startsWith("bad template: unclosed '{{'");
            });
  }

  @Test
  void checkStructure_templateReferencesUnknownStep_rejected() {
    assertThat(check(steps("  - {id: a, skill: s, input: [\"x\", \"{{ steps.nope.output }}\"]}\n")))
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.field()).isEqualTo("steps[0].input[1]");
              assertThat(v.description()).contains("unknown step 'nope'");
            });
  }

  @Test
  void checkStructure_templateReferencesNonDependency_rejected() {
    List<FieldViolation> violations =
        check(
            steps(
                """
                  - {id: a, skill: s}
                  - {id: b, skill: s}
                  - {id: c, skill: s, depends_on: [b], input: "{{ steps.a.output }}"}
                """));

    assertThat(violations)
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.field()).isEqualTo("steps[2].input");
              assertThat(v.description()).contains("step 'a' is not a dependency of 'c'");
            });
  }

  @Test
  void checkStructure_transitiveDependency_allowed() {
    assertThat(
            check(
                steps(
                    """
                      - {id: a, skill: s}
                      - {id: b, skill: s, depends_on: [a]}
                      - {id: c, skill: s, depends_on: [b], condition: "steps.a.output.x > 1"}
                    """)))
        .isEmpty();
  }

  @Test
  void checkStructure_itemOutsideForEach_rejected() {
    assertThat(check(steps("  - {id: a, skill: s, input: \"{{ item }}\"}\n")))
        .extracting(FieldViolation::field)
        .containsExactly("steps[0].input");
  }

  @Test
  void checkStructure_itemInCompensateInput_allowedOnlyForForEach() {
    assertThat(
            check(
                steps(
                    "  - {id: a, skill: s, for_each: input.xs,"
                        + " compensate: {skill: u, input: \"{{ item }}\"}}\n"
                        + "  - {id: b, skill: s, compensate: {skill: u, input: \"{{ item }}\"}}\n")))
        .extracting(FieldViolation::field)
        .containsExactly("steps[1].compensate.input");
  }

  @Test
  void checkStructure_badDurations_negativeAndOverBudget() {
    List<FieldViolation> violations =
        check(
            steps(
                """
                  - {id: a, skill: s, timeout: -1s}
                  - {id: b, skill: s, timeout: 120s}
                """));

    assertThat(violations)
        .extracting(FieldViolation::field, FieldViolation::description)
        .containsExactly(
            tuple("steps[0].timeout", "-1s (expected: >= 0)"),
            tuple("steps[1].timeout", "120s (expected: <= the run's budget 60s)"));
  }

  @Test
  void checkStructure_retryOutOfRange_eachFieldReported() {
    List<FieldViolation> violations =
        check(
            steps(
                """
                  - id: a
                    skill: s
                    retry:
                      max_attempts: 99
                      initial_backoff: 5s
                      max_backoff: 1s
                      multiplier: 0.5
                      jitter: 1.5
                      retryable_codes: [UNAVAILABLE, NOPE]
                """));

    assertThat(violations)
        .extracting(FieldViolation::field)
        .containsExactly(
            "steps[0].retry.max_attempts",
            "steps[0].retry.max_backoff",
            "steps[0].retry.multiplier",
            "steps[0].retry.jitter",
            "steps[0].retry.retryable_codes[1]");
  }

  @Test
  void checkStructure_fallbackWithoutSkill_rejected() {
    assertThat(check(steps("  - {id: a, skill: s, on_failure: FAILURE_ACTION_FALLBACK}\n")))
        .extracting(FieldViolation::field)
        .containsExactly("steps[0].fallback_skill");
  }

  @Test
  void checkStructure_forEachBadExpression_rejected() {
    List<FieldViolation> violations =
        check(
            steps(
                """
                  - {id: a, skill: s, for_each: "input.items =="}
                  - {id: b, skill: s, for_each: "input.n > 3"}
                  - {id: c, skill: s, for_each: "{{ item }}"}
                """));

    assertThat(violations)
        .extracting(FieldViolation::field)
        .containsExactly("steps[0].for_each", "steps[1].for_each", "steps[2].for_each");
  }

  @Test
  void checkStructure_badCondition_rejected() {
    assertThat(check(steps("  - {id: a, skill: s, condition: \"input.x === 1\"}\n")))
        .extracting(FieldViolation::field)
        .containsExactly("steps[0].condition");
  }

  @Test
  void checkStructure_manyProblems_allReportedAtOnce() {
    List<FieldViolation> violations =
        check(
            """
            name: Bad Name
            steps:
              - {id: a, skill: ""}
              - {id: a, skill: s, depends_on: [x], timeout: -2s}
            """);

    assertThat(violations)
        .extracting(FieldViolation::field)
        .containsExactlyInAnyOrder(
            "name", "steps[0].skill", "steps[1].id", "steps[1].depends_on[0]", "steps[1].timeout");
  }

  @Test
  void checkStructure_prefix_prependedToEveryField() {
    Violations v = new Violations();
    WorkflowValidator.checkStructure(
        WorkflowYaml.parse("name: wf\nsteps: [{id: a, skill: s, depends_on: [b]}]\n"),
        "workflow.",
        BUDGET,
        v);

    assertThat(v.list())
        .extracting(FieldViolation::field)
        .containsExactly("workflow.steps[0].depends_on[0]");
  }

  @Test
  void checkSkills_rejectPolicy_reportsEachMissingSkillOnce() {
    WorkflowSpec spec =
        WorkflowYaml.parse(
            steps(
                """
  - {id: a, skill: known}
  - {id: b, skill: missing, on_failure: FAILURE_ACTION_FALLBACK, fallback_skill: gone}
  - {id: c, skill: missing}
"""));
    AtomicInteger lookups = new AtomicInteger();
    Violations v = new Violations();

    WorkflowValidator.checkSkills(
        spec,
        "",
        skill -> {
          lookups.incrementAndGet();
          return Set.of("known").contains(skill);
        },
        v);

    assertThat(v.list())
        .extracting(FieldViolation::field)
        .containsExactly("steps[1].skill", "steps[1].fallback_skill", "steps[2].skill");
    assertThat(lookups).hasValue(3);
  }

  @Test
  void checkSkills_waitPolicy_acceptsMissingSkills() {
    WorkflowSpec spec =
        WorkflowYaml.parse(
            "name: wf\nmissing_skill_policy: MISSING_SKILL_POLICY_WAIT\n"
                + "steps: [{id: a, skill: missing}]\n");
    Violations v = new Violations();

    WorkflowValidator.checkSkills(spec, "", skill -> false, v);

    assertThat(v.isEmpty()).isTrue();
  }
}
