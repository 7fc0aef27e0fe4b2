package dev.meshwork.orchestrator.internal.engine;

import dev.meshwork.api.orchestrator.v1.Run;
import dev.meshwork.api.orchestrator.v1.RunEvent;
import dev.meshwork.api.orchestrator.v1.RunState;
import dev.meshwork.api.orchestrator.v1.StepRun;
import dev.meshwork.api.orchestrator.v1.StepState;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Derives a run's state from its events: applying an event to the run as it was gives the run as it
 * is. The engine applies every event it appends, and stores the result with the event in one
 * transaction.
 */
final class RunProjection {

  private RunProjection() {}

  /** The run state an event of {@code type} leaves a run in, given its state before. */
  static RunState stateAfter(RunEvent event, RunState before) {
    return switch (event.getType()) {
      case RUN_EVENT_TYPE_RUN_SUBMITTED -> RunState.RUN_STATE_SUBMITTED;
      case RUN_EVENT_TYPE_RUN_STARTED, RUN_EVENT_TYPE_RUN_RETRIED -> RunState.RUN_STATE_WORKING;
      case RUN_EVENT_TYPE_RUN_COMPLETED -> RunState.RUN_STATE_COMPLETED;
      case RUN_EVENT_TYPE_RUN_FAILED -> RunState.RUN_STATE_FAILED;
      case RUN_EVENT_TYPE_RUN_CANCELED -> RunState.RUN_STATE_CANCELED;
      default -> before;
    };
  }

  /** Applies {@code event} (whose run_state is already set) to {@code run}. */
  static void apply(Run.Builder run, RunEvent event) {
    run.setLastSequence(event.getSequence());
    run.setState(event.getRunState());
    switch (event.getType()) {
      case RUN_EVENT_TYPE_RUN_COMPLETED, RUN_EVENT_TYPE_RUN_FAILED, RUN_EVENT_TYPE_RUN_CANCELED -> {
        run.setEndTime(event.getTime());
        if (event.hasError()) {
          run.setError(event.getError());
        }
      }
      case RUN_EVENT_TYPE_RUN_RETRIED -> resetForRetry(run);
      case RUN_EVENT_TYPE_RUN_SUBMITTED, RUN_EVENT_TYPE_RUN_STARTED -> {
        // The state is all these change.
      }
      default -> applyStepEvent(run, event);
    }
  }

  private static void applyStepEvent(Run.Builder run, RunEvent event) {
    int index = indexOf(run, event.getStepId(), event.getItemIndex());
    StepRun.Builder step;
    if (index < 0) {
      step = StepRun.newBuilder().setStepId(event.getStepId()).setItemIndex(event.getItemIndex());
    } else {
      step = run.getSteps(index).toBuilder();
    }
    step.setState(event.getStepState());
    if (event.getAttempt() > 0) {
      step.setAttempt(event.getAttempt());
    }
    if (!event.getAgentInstance().isEmpty()) {
      step.setAgentInstance(event.getAgentInstance());
    }
    switch (event.getType()) {
      case RUN_EVENT_TYPE_STEP_STARTED -> {
        if (!step.hasStartTime()) {
          step.setStartTime(event.getTime());
        }
        step.clearError();
      }
      case RUN_EVENT_TYPE_STEP_COMPLETED -> {
        step.clearOutput().addAllOutput(event.getOutputList()).clearError();
        step.setEndTime(event.getTime());
      }
      case RUN_EVENT_TYPE_STEP_RETRYING -> step.setError(event.getError());
      case RUN_EVENT_TYPE_STEP_FAILED,
          RUN_EVENT_TYPE_STEP_CANCELED,
          RUN_EVENT_TYPE_STEP_SKIPPED,
          RUN_EVENT_TYPE_STEP_COMPENSATED -> {
        if (event.hasError()) {
          step.setError(event.getError());
        }
        step.setEndTime(event.getTime());
      }
      default -> {
        // No other step event types exist.
      }
    }
    if (index < 0) {
      run.addSteps(step);
    } else {
      run.setSteps(index, step);
    }
  }

  /**
   * RetryRun: steps that did not complete (and for_each elements of a compensated step) are
   * forgotten, so they run again; completed steps keep their output and are not repeated.
   */
  private static void resetForRetry(Run.Builder run) {
    Set<String> undone = new HashSet<>();
    for (StepRun step : run.getStepsList()) {
      if (step.getItemIndex() == StepKey.WHOLE
          && step.getState() == StepState.STEP_STATE_COMPENSATED) {
        undone.add(step.getStepId());
      }
    }
    List<StepRun> kept = new ArrayList<>();
    for (StepRun step : run.getStepsList()) {
      boolean completed = step.getState() == StepState.STEP_STATE_COMPLETED;
      if (completed && !undone.contains(step.getStepId())) {
        kept.add(step.toBuilder().clearError().build());
      }
    }
    run.clearSteps().addAllSteps(kept).clearError().clearEndTime();
  }

  /** The index of a step in {@code run.steps}, or -1. */
  static int indexOf(Run.Builder run, String stepId, int item) {
    for (int i = 0; i < run.getStepsCount(); i++) {
      StepRun s = run.getSteps(i);
      if (s.getItemIndex() == item && s.getStepId().equals(stepId)) {
        return i;
      }
    }
    return -1;
  }
}
