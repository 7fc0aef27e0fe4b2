package dev.meshwork.orchestrator.internal.engine;

import static java.util.Objects.requireNonNull;

/**
 * Identifies a step of a run, or one element of a for_each step.
 *
 * @param stepId the workflow step's id
 * @param item the element index, or {@link #WHOLE} for the step itself
 */
record StepKey(String stepId, int item) {

  /** The item index of a step itself (as opposed to one of its for_each elements). */
  static final int WHOLE = -1;

  StepKey {
    requireNonNull(stepId, "stepId");
    if (item < WHOLE) {
      throw new IllegalArgumentException("item: " + item + " (expected: >= -1)");
    }
  }

  static StepKey whole(String stepId) {
    return new StepKey(stepId, WHOLE);
  }

  boolean isWhole() {
    return item == WHOLE;
  }

  /** The idempotency key of calls for this step: {@code <run_id>/<step_id>[/<item>]}. */
  String idempotencyKey(String runId) {
    return runId + "/" + stepId + (isWhole() ? "" : "/" + item);
  }

  @Override
  public String toString() {
    return isWhole() ? stepId : stepId + "[" + item + "]";
  }
}
