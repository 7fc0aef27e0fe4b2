package dev.meshwork.orchestrator.internal.workflow;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Value;
import dev.meshwork.api.orchestrator.v1.FailureAction;
import dev.meshwork.api.orchestrator.v1.MissingSkillPolicy;
import dev.meshwork.api.orchestrator.v1.RetryPolicy;
import dev.meshwork.api.orchestrator.v1.Step;
import dev.meshwork.api.orchestrator.v1.WorkflowSpec;
import dev.meshwork.core.Violations;
import dev.meshwork.orchestrator.SkillDirectory;
import dev.meshwork.orchestrator.internal.ProtoTime;
import dev.meshwork.orchestrator.internal.expr.Expr;
import dev.meshwork.orchestrator.internal.expr.ExpressionException;
import dev.meshwork.orchestrator.internal.expr.InputRenderer;
import dev.meshwork.orchestrator.internal.expr.PathExpr;
import dev.meshwork.orchestrator.internal.expr.Template;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks a workflow before anything runs and reports every problem at once, each as a field
 * violation pointing at the step ({@code steps[2].depends_on[0]}): names and ids, duplicate ids,
 * unknown dependencies, cycles, templates and expressions, durations, retry policies, failure
 * actions and (optionally) whether the skills exist.
 */
public final class WorkflowValidator {

  /** Longest run budget a workflow may ask for. */
  public static final Duration MAX_RUN_BUDGET = Duration.ofDays(30);

  /** Most attempts a retry policy may ask for. */
  public static final int MAX_ATTEMPTS = 50;

  /** Largest backoff multiplier. */
  public static final double MAX_MULTIPLIER = 10;

  /** Largest for_each concurrency. */
  public static final int MAX_CONCURRENCY = 1000;

  /** Most steps in one workflow. */
  public static final int MAX_STEPS = 1000;

  private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9_-]{0,61}[a-z0-9])?");
  private static final Pattern STEP_ID = Pattern.compile("[a-z][a-z0-9_-]{0,62}");
  private static final Pattern SKILL_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  private final WorkflowSpec spec;
  private final String prefix;
  private final Violations violations;
  private final WorkflowGraph graph;

  private WorkflowValidator(WorkflowSpec spec, String prefix, Violations violations) {
    this.spec = spec;
    this.prefix = prefix;
    this.violations = violations;
    this.graph = new WorkflowGraph(spec);
  }

  /**
   * Checks the structure of {@code spec} (everything but skill existence).
   *
   * @param prefix prepended to every field path, for example {@code "workflow."}; may be empty
   * @param runBudget the budget of the run (step timeouts may not exceed it)
   */
  public static void checkStructure(
      WorkflowSpec spec, String prefix, Duration runBudget, Violations violations) {
    requireNonNull(spec, "spec");
    requireNonNull(prefix, "prefix");
    requireNonNull(runBudget, "runBudget");
    new WorkflowValidator(spec, prefix, violations).checkAll(runBudget);
  }

  /**
   * Checks that some agent serves every skill {@code spec} names, unless its missing-skill policy
   * is WAIT.
   */
  public static void checkSkills(
      WorkflowSpec spec, String prefix, SkillDirectory directory, Violations violations) {
    if (spec.getMissingSkillPolicy() == MissingSkillPolicy.MISSING_SKILL_POLICY_WAIT) {
      return;
    }
    Map<String, Boolean> known = new HashMap<>();
    for (int i = 0; i < spec.getStepsCount(); i++) {
      Step step = spec.getSteps(i);
      String at = prefix + "steps[" + i + "].";
      checkSkill(step.getSkill(), at + "skill", directory, known, violations);
      if (!step.getFallbackSkill().isEmpty()) {
        checkSkill(step.getFallbackSkill(), at + "fallback_skill", directory, known, violations);
      }
      if (step.hasCompensate() && !step.getCompensate().getSkill().isEmpty()) {
        checkSkill(
            step.getCompensate().getSkill(), at + "compensate.skill", directory, known, violations);
      }
    }
  }

  private static void checkSkill(
      String skill,
      String field,
      SkillDirectory directory,
      Map<String, Boolean> known,
      Violations violations) {
    if (skill.isEmpty() || !SKILL_ID.matcher(skill).matches()) {
      return; // reported by the structure check
    }
    boolean has = known.computeIfAbsent(skill, directory::has);
    violations.check(
        has,
        field,
        "no agent serves skill '"
            + skill
            + "' (expected: a registered skill, or"
            + " missing_skill_policy: MISSING_SKILL_POLICY_WAIT)");
  }

  private void checkAll(Duration runBudget) {
    violations.check(
        NAME.matcher(spec.getName()).matches(),
        prefix + "name",
        "'" + spec.getName() + "' (expected: a DNS-label-like name, [a-z0-9_-], at most 63)");
    violations.check(
        spec.getStepsCount() > 0, prefix + "steps", "empty (expected: at least one step)");
    violations.check(
        spec.getStepsCount() <= MAX_STEPS,
        prefix + "steps",
        spec.getStepsCount() + " steps (expected: at most " + MAX_STEPS + ")");
    if (spec.hasTimeout()) {
      checkDuration(spec.getTimeout(), prefix + "timeout", MAX_RUN_BUDGET);
    }
    if (spec.hasDefaultRetry()) {
      checkRetry(spec.getDefaultRetry(), prefix + "default_retry");
    }
    violations.check(
        spec.getMissingSkillPolicy() != MissingSkillPolicy.UNRECOGNIZED,
        prefix + "missing_skill_policy",
        spec.getMissingSkillPolicyValue() + " (expected: a MissingSkillPolicy)");
    Map<String, Integer> firstIndex = new HashMap<>();
    for (int i = 0; i < spec.getStepsCount(); i++) {
      checkStep(i, spec.getSteps(i), firstIndex, runBudget);
    }
    for (List<String> cycle : graph.cycles()) {
      String from = cycle.get(cycle.size() - 2);
      String to = cycle.get(cycle.size() - 1);
      int index = graph.index(from);
      int depIndex = graph.step(from).getDependsOnList().indexOf(to);
      violations.add(
          prefix + "steps[" + index + "].depends_on[" + depIndex + "]",
          "cycle " + String.join(" -> ", cycle) + " (expected: dependencies without cycles)");
    }
  }

  private void checkStep(int i, Step step, Map<String, Integer> firstIndex, Duration runBudget) {
    String at = prefix + "steps[" + i + "].";
    String id = step.getId();
    if (violations.check(
        STEP_ID.matcher(id).matches(),
        at + "id",
        "'" + id + "' (expected: [a-z][a-z0-9_-]*, at most 63)")) {
      Integer first = firstIndex.putIfAbsent(id, i);
      violations.check(
          first == null,
          at + "id",
          "duplicate step id '" + id + "' (also steps[" + first + "]; expected: unique ids)");
    }
    checkSkillId(step.getSkill(), at + "skill", true);
    Set<String> seenDeps = new HashSet<>();
    for (int d = 0; d < step.getDependsOnCount(); d++) {
      String dep = step.getDependsOn(d);
      String field = at + "depends_on[" + d + "]";
      if (!graph.contains(dep)) {
        violations.add(field, "unknown step '" + dep + "' (expected: the id of another step)");
      } else if (!seenDeps.add(dep)) {
        violations.add(field, "'" + dep + "' listed twice");
      }
    }
    if (step.hasTimeout()) {
      if (checkDuration(step.getTimeout(), at + "timeout", MAX_RUN_BUDGET)) {
        Duration timeout = ProtoTime.toJava(step.getTimeout());
        violations.check(
            timeout.compareTo(runBudget) <= 0,
            at + "timeout",
            ProtoTime.format(step.getTimeout())
                + " (expected: <= the run's budget "
                + ProtoTime.format(runBudget)
                + ")");
      }
    }
    if (step.hasRetry()) {
      checkRetry(step.getRetry(), at + "retry");
    }
    checkFailureAction(step, at);
    boolean fanOut = !step.getForEach().isEmpty();
    if (fanOut) {
      checkExpression(step.getForEach(), at + "for_each", id, false, true);
    }
    violations.check(
        step.getMaxConcurrency() >= 0 && step.getMaxConcurrency() <= MAX_CONCURRENCY,
        at + "max_concurrency",
        step.getMaxConcurrency() + " (expected: 0..." + MAX_CONCURRENCY + ", 0 means 4)");
    if (!step.getCondition().isEmpty()) {
      checkExpression(step.getCondition(), at + "condition", id, false, false);
    }
    if (step.hasInput()) {
      checkValue(step.getInput(), at + "input", id, fanOut, false);
    }
    if (step.hasCompensate()) {
      checkSkillId(step.getCompensate().getSkill(), at + "compensate.skill", true);
      if (step.getCompensate().hasInput()) {
        checkValue(
            step.getCompensate().getInput(), at + "compensate.input", id, fanOut, true);
      }
    }
  }

  private void checkFailureAction(Step step, String at) {
    FailureAction action = step.getOnFailure();
    if (!violations.check(
        action != FailureAction.UNRECOGNIZED,
        at + "on_failure",
        step.getOnFailureValue() + " (expected: a FailureAction)")) {
      return;
    }
    if (action == FailureAction.FAILURE_ACTION_FALLBACK) {
      if (violations.check(
          !step.getFallbackSkill().isEmpty(),
          at + "fallback_skill",
          "missing (expected: the skill to call when on_failure is FAILURE_ACTION_FALLBACK)")) {
        checkSkillId(step.getFallbackSkill(), at + "fallback_skill", false);
      }
    } else {
      violations.check(
          step.getFallbackSkill().isEmpty(),
          at + "fallback_skill",
          "'"
              + step.getFallbackSkill()
              + "' is set but on_failure is "
              + action.name()
              + " (expected: FAILURE_ACTION_FALLBACK, or no fallback_skill)");
    }
  }

  private void checkSkillId(String skill, String field, boolean required) {
    if (skill.isEmpty()) {
      violations.check(!required, field, "missing (expected: a skill id such as text.summarize)");
      return;
    }
    violations.check(
        SKILL_ID.matcher(skill).matches(),
        field,
        "'" + skill + "' (expected: a skill id, [A-Za-z0-9._-], at most 128)");
  }

  private boolean checkDuration(com.google.protobuf.Duration d, String field, Duration max) {
    if (!ProtoTime.isValid(d)) {
      violations.add(field, ProtoTime.format(d) + " (expected: a valid duration)");
      return false;
    }
    Duration value = ProtoTime.toJava(d);
    if (value.isNegative()) {
      violations.add(field, ProtoTime.format(d) + " (expected: >= 0)");
      return false;
    }
    if (value.compareTo(max) > 0) {
      violations.add(field, ProtoTime.format(d) + " (expected: <= " + ProtoTime.format(max) + ")");
      return false;
    }
    return true;
  }

  private void checkRetry(RetryPolicy retry, String at) {
    violations.check(
        retry.getMaxAttempts() >= 0 && retry.getMaxAttempts() <= MAX_ATTEMPTS,
        at + ".max_attempts",
        retry.getMaxAttempts() + " (expected: 0..." + MAX_ATTEMPTS + ", 0 means 3)");
    boolean initialOk =
        !retry.hasInitialBackoff()
            || checkDuration(
                retry.getInitialBackoff(), at + ".initial_backoff", Duration.ofHours(1));
    boolean maxOk =
        !retry.hasMaxBackoff()
            || checkDuration(retry.getMaxBackoff(), at + ".max_backoff", Duration.ofHours(1));
    if (initialOk && maxOk && retry.hasInitialBackoff() && retry.hasMaxBackoff()) {
      Duration initial = ProtoTime.toJava(retry.getInitialBackoff());
      Duration max = ProtoTime.toJava(retry.getMaxBackoff());
      violations.check(
          max.isZero() || max.compareTo(initial) >= 0,
          at + ".max_backoff",
          ProtoTime.format(retry.getMaxBackoff())
              + " (expected: >= initial_backoff "
              + ProtoTime.format(retry.getInitialBackoff())
              + ")");
    }
    double multiplier = retry.getMultiplier();
    violations.check(
        multiplier == 0 || (multiplier >= 1 && multiplier <= MAX_MULTIPLIER),
        at + ".multiplier",
        multiplier + " (expected: 1..." + (int) MAX_MULTIPLIER + ", 0 means 2)");
    double jitter = retry.getJitter();
    violations.check(
        jitter >= 0 && jitter <= 1, at + ".jitter", jitter + " (expected: 0..1, 0 means 0.2)");
    for (int c = 0; c < retry.getRetryableCodesCount(); c++) {
      String code = retry.getRetryableCodes(c);
      violations.check(
          RetrySettings.ALL_CODES.contains(code),
          at + ".retryable_codes[" + c + "]",
          "'" + code + "' (expected: a gRPC status code name such as UNAVAILABLE)");
    }
  }

  private void checkValue(
      Value value, String field, String stepId, boolean itemAllowed, boolean selfAllowed) {
    switch (value.getKindCase()) {
      case STRING_VALUE -> {
        String s = value.getStringValue();
        if (!Template.hasPlaceholder(s)) {
          return;
        }
        try {
          Template.parse(s).forEachPath(p -> checkPath(p, field, stepId, itemAllowed, selfAllowed));
        } catch (ExpressionException e) {
          violations.add(field, "bad template: " + e.getMessage());
        }
      }
      case STRUCT_VALUE ->
          value
              .getStructValue()
              .getFieldsMap()
              .forEach((k, v) -> checkValue(v, field + "." + k, stepId, itemAllowed, selfAllowed));
      case LIST_VALUE -> {
        List<Value> list = value.getListValue().getValuesList();
        for (int i = 0; i < list.size(); i++) {
          checkValue(list.get(i), field + "[" + i + "]", stepId, itemAllowed, selfAllowed);
        }
      }
      default -> {
        // Numbers, booleans and null are plain values.
      }
    }
  }

  private void checkExpression(
      String text, String field, String stepId, boolean itemAllowed, boolean pathOnly) {
    Expr expr;
    try {
      expr = InputRenderer.parseBareOrPlaceholder(text);
    } catch (ExpressionException e) {
      violations.add(field, "bad expression: " + e.getMessage());
      return;
    }
    if (pathOnly && !(expr instanceof Expr.Ref)) {
      violations.add(
          field, "'" + text + "' (expected: a path yielding a list, such as steps.<id>.output)");
      return;
    }
    expr.forEachPath(p -> checkPath(p, field, stepId, itemAllowed, false));
  }

  private void checkPath(
      PathExpr path, String field, String stepId, boolean itemAllowed, boolean selfAllowed) {
    switch (path.root()) {
      case INPUT -> {
        // The run input may hold anything.
      }
      case ITEM ->
          violations.check(
              itemAllowed,
              field,
              "'" + path + "': item is only defined in the input of a for_each step");
      case STEP_OUTPUT -> {
        String ref = path.stepId();
        if (!graph.contains(ref)) {
          violations.add(field, "'" + path + "': unknown step '" + ref + "'");
        } else if (ref.equals(stepId)) {
          violations.check(
              selfAllowed,
              field,
              "'" + path + "': a step cannot read its own output (only its compensation can)");
        } else if (!graph.ancestors(stepId).contains(ref)) {
          violations.add(
              field,
              "'"
                  + path
                  + "': step '"
                  + ref
                  + "' is not a dependency of '"
                  + stepId
                  + "' (expected: listed in depends_on, directly or transitively)");
        }
      }
    }
  }
}
