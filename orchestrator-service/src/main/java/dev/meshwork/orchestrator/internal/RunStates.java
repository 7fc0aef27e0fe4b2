package dev.meshwork.orchestrator.internal;

import dev.meshwork.api.orchestrator.v1.RunState;

/** What a run's state means, in one place for the store, the engine and the watchers. */
public final class RunStates {

  private RunStates() {}

  /** True for the states a run never leaves (unless RetryRun re-drives a FAILED one). */
  public static boolean isTerminal(RunState state) {
    return switch (state) {
      case RUN_STATE_COMPLETED, RUN_STATE_FAILED, RUN_STATE_CANCELED, RUN_STATE_REJECTED -> true;
      default -> false;
    };
  }
}
