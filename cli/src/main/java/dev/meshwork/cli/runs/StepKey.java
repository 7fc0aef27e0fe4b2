package dev.meshwork.cli.runs;

import static java.util.Objects.requireNonNull;

import dev.meshwork.api.orchestrator.v1.WorkflowSpec;

/**
 * A step of a run, or one element of a {@code for_each} step.
 *
 * @param stepId the workflow step's id
 * @param item the element index, or -1 for the step itself
 */
record StepKey(String stepId, int item) {

  /** Validates the id. */
  StepKey {
    requireNonNull(stepId, "stepId");
  }

  /**
   * The key of a step event or step run. An item index counts only for steps that fan out: the
   * index of other steps is -1 by contract, but 0 when a server leaves it unset.
   */
  static StepKey of(WorkflowSpec workflow, String stepId, int item) {
    boolean fansOut =
        workflow.getStepsList().stream()
            .anyMatch(step -> step.getId().equals(stepId) && !step.getForEach().isEmpty());
    return new StepKey(stepId, fansOut && item >= 0 ? item : -1);
  }

  /** Whether this is one element of a fan-out. */
  boolean isElement() {
    return item >= 0;
  }

  /** {@code summarize}, or {@code summarize[2]} for an element. */
  @Override
  public String toString() {
    return isElement() ? stepId + "[" + item + "]" : stepId;
  }
}
