package dev.meshwork.cli.runs;

import dev.meshwork.api.orchestrator.v1.RunEvent;
import dev.meshwork.api.orchestrator.v1.RunEventType;
import dev.meshwork.api.orchestrator.v1.RunState;
import dev.meshwork.api.orchestrator.v1.StepError;
import dev.meshwork.api.orchestrator.v1.StepState;
import dev.meshwork.cli.output.ProtoEnums;
import java.util.Set;

/** Run and step states as meshctl shows and reasons about them. */
final class RunStates {

  private static final Set<RunState> TERMINAL =
      Set.of(
          RunState.RUN_STATE_COMPLETED,
          RunState.RUN_STATE_FAILED,
          RunState.RUN_STATE_CANCELED,
          RunState.RUN_STATE_REJECTED);

  private static final Set<RunEventType> TERMINAL_EVENTS =
      Set.of(
          RunEventType.RUN_EVENT_TYPE_RUN_COMPLETED,
          RunEventType.RUN_EVENT_TYPE_RUN_FAILED,
          RunEventType.RUN_EVENT_TYPE_RUN_CANCELED);

  private static final Set<StepState> FINISHED_STEPS =
      Set.of(
          StepState.STEP_STATE_COMPLETED,
          StepState.STEP_STATE_FAILED,
          StepState.STEP_STATE_CANCELED,
          StepState.STEP_STATE_REJECTED,
          StepState.STEP_STATE_SKIPPED,
          StepState.STEP_STATE_COMPENSATED);

  private RunStates() {}

  /** Whether a run in {@code state} is done. */
  static boolean isTerminal(RunState state) {
    return TERMINAL.contains(state);
  }

  /**
   * Whether {@code event} ends its run (for now: a failed run may be retried). Step events that
   * carry a terminal run state (compensations) do not: the run event follows them.
   */
  static boolean isTerminal(RunEvent event) {
    return TERMINAL_EVENTS.contains(event.getType())
        || event.getRunState() == RunState.RUN_STATE_REJECTED;
  }

  /** Whether a step in {@code state} will not change any more (unless its run is retried). */
  static boolean isFinished(StepState state) {
    return FINISHED_STEPS.contains(state);
  }

  /** {@code COMPLETED} for {@code RUN_STATE_COMPLETED}. */
  static String name(RunState state) {
    return ProtoEnums.shortName(state, "RUN_STATE_");
  }

  /** {@code SKIPPED} for {@code STEP_STATE_SKIPPED}. */
  static String name(StepState state) {
    return ProtoEnums.shortName(state, "STEP_STATE_");
  }

  /** {@code CODE: message [REASON]}, or empty for an unset error. */
  static String describe(StepError error) {
    if (error.getCode().isEmpty() && error.getMessage().isEmpty()) {
      return "";
    }
    StringBuilder text = new StringBuilder();
    if (!error.getCode().isEmpty()) {
      text.append(error.getCode()).append(": ");
    }
    text.append(error.getMessage());
    if (!error.getReason().isEmpty() && !error.getReason().equals(error.getCode())) {
      text.append(" [").append(error.getReason()).append(']');
    }
    return text.toString().strip();
  }
}
