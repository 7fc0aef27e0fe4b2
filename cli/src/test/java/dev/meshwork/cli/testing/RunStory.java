package dev.meshwork.cli.testing;

import static dev.meshwork.cli.testing.Protos.at;
import static dev.meshwork.cli.testing.Protos.event;
import static dev.meshwork.cli.testing.Protos.pipeline;
import static dev.meshwork.cli.testing.Protos.step;
import static dev.meshwork.cli.testing.Protos.text;

import dev.meshwork.api.orchestrator.v1.Run;
import dev.meshwork.api.orchestrator.v1.RunEvent;
import dev.meshwork.api.orchestrator.v1.RunEventType;
import dev.meshwork.api.orchestrator.v1.RunState;
import dev.meshwork.api.orchestrator.v1.StepError;
import dev.meshwork.api.orchestrator.v1.StepRun;
import dev.meshwork.api.orchestrator.v1.StepState;
import dev.meshwork.api.orchestrator.v1.WorkflowSpec;
import java.util.List;

/**
 * One run of the three-step pipeline {@code review} (fetch -> summarize -> report) told as the
 * orchestrator would: the run as started, its events, and the run when done.
 */
public final class RunStory {

  /** The run id. */
  public static final String RUN_ID = "r-42";

  /** The trace id of the run. */
  public static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";

  /** The workflow. */
  public static final WorkflowSpec REVIEW = pipeline("review", 3, "fetch", "summarize", "report");

  private RunStory() {}

  /** The run as StartRun answers it. */
  public static Run submitted() {
    return Run.newBuilder()
        .setRunId(RUN_ID)
        .setWorkflow(REVIEW)
        .setState(RunState.RUN_STATE_SUBMITTED)
        .setCreateTime(at(0))
        .setTraceId(TRACE_ID)
        .setLastSequence(1)
        .build();
  }

  /** Every event of a run that completes; summarize needs a second attempt. */
  public static List<RunEvent> completing() {
    return List.of(
        event(RUN_ID, 1, RunEventType.RUN_EVENT_TYPE_RUN_SUBMITTED, RunState.RUN_STATE_SUBMITTED, 0)
            .build(),
        event(RUN_ID, 2, RunEventType.RUN_EVENT_TYPE_RUN_STARTED, RunState.RUN_STATE_WORKING, 10)
            .build(),
        step(
            RUN_ID,
            3,
            RunEventType.RUN_EVENT_TYPE_STEP_STARTED,
            "fetch",
            StepState.STEP_STATE_WORKING,
            100),
        step(
            RUN_ID,
            4,
            RunEventType.RUN_EVENT_TYPE_STEP_COMPLETED,
            "fetch",
            StepState.STEP_STATE_COMPLETED,
            512),
        step(
            RUN_ID,
            5,
            RunEventType.RUN_EVENT_TYPE_STEP_STARTED,
            "summarize",
            StepState.STEP_STATE_WORKING,
            600),
        step(
                RUN_ID,
                6,
                RunEventType.RUN_EVENT_TYPE_STEP_RETRYING,
                "summarize",
                StepState.STEP_STATE_WORKING,
                700)
            .toBuilder()
            .setError(StepError.newBuilder().setCode("UNAVAILABLE").setMessage("agent gone"))
            .build(),
        step(
                RUN_ID,
                7,
                RunEventType.RUN_EVENT_TYPE_STEP_COMPLETED,
                "summarize",
                StepState.STEP_STATE_COMPLETED,
                1900)
            .toBuilder()
            .setAttempt(2)
            .build(),
        step(
            RUN_ID,
            8,
            RunEventType.RUN_EVENT_TYPE_STEP_STARTED,
            "report",
            StepState.STEP_STATE_WORKING,
            1950),
        step(
            RUN_ID,
            9,
            RunEventType.RUN_EVENT_TYPE_STEP_COMPLETED,
            "report",
            StepState.STEP_STATE_COMPLETED,
            2050),
        event(
                RUN_ID,
                10,
                RunEventType.RUN_EVENT_TYPE_RUN_COMPLETED,
                RunState.RUN_STATE_COMPLETED,
                2100)
            .build());
  }

  /** Events of a run whose second step fails for good. */
  public static List<RunEvent> failing() {
    StepError error =
        StepError.newBuilder()
            .setCode("UNAVAILABLE")
            .setMessage("no healthy instance")
            .setReason("CIRCUIT_OPEN")
            .setAttempts(3)
            .build();
    return List.of(
        event(RUN_ID, 2, RunEventType.RUN_EVENT_TYPE_RUN_STARTED, RunState.RUN_STATE_WORKING, 10)
            .build(),
        step(
            RUN_ID,
            3,
            RunEventType.RUN_EVENT_TYPE_STEP_STARTED,
            "fetch",
            StepState.STEP_STATE_WORKING,
            100),
        step(
            RUN_ID,
            4,
            RunEventType.RUN_EVENT_TYPE_STEP_COMPLETED,
            "fetch",
            StepState.STEP_STATE_COMPLETED,
            512),
        step(
            RUN_ID,
            5,
            RunEventType.RUN_EVENT_TYPE_STEP_STARTED,
            "summarize",
            StepState.STEP_STATE_WORKING,
            600),
        step(
                RUN_ID,
                6,
                RunEventType.RUN_EVENT_TYPE_STEP_FAILED,
                "summarize",
                StepState.STEP_STATE_FAILED,
                1800)
            .toBuilder()
            .setError(error)
            .setAttempt(3)
            .build(),
        step(
            RUN_ID,
            7,
            RunEventType.RUN_EVENT_TYPE_STEP_SKIPPED,
            "report",
            StepState.STEP_STATE_SKIPPED,
            1810),
        event(RUN_ID, 8, RunEventType.RUN_EVENT_TYPE_RUN_FAILED, RunState.RUN_STATE_FAILED, 1820)
            .setError(error)
            .build());
  }

  /** The run after {@link #completing()}: every step done, report's output is the result. */
  public static Run completed() {
    return submitted().toBuilder()
        .setState(RunState.RUN_STATE_COMPLETED)
        .setEndTime(at(2100))
        .setLastSequence(10)
        .addSteps(stepRun("fetch", StepState.STEP_STATE_COMPLETED, 1, 100, 512))
        .addSteps(stepRun("summarize", StepState.STEP_STATE_COMPLETED, 2, 600, 1900))
        .addSteps(
            stepRun("report", StepState.STEP_STATE_COMPLETED, 1, 1950, 2050).toBuilder()
                .addOutput(text("Meshwork is a gRPC mesh.\nIt runs workflows.")))
        .build();
  }

  /** The run after {@link #failing()}. */
  public static Run failed() {
    List<RunEvent> events = failing();
    StepError error = events.get(events.size() - 1).getError();
    return submitted().toBuilder()
        .setState(RunState.RUN_STATE_FAILED)
        .setEndTime(at(1820))
        .setLastSequence(8)
        .setError(error)
        .addSteps(stepRun("fetch", StepState.STEP_STATE_COMPLETED, 1, 100, 512))
        .addSteps(
            stepRun("summarize", StepState.STEP_STATE_FAILED, 3, 600, 1800).toBuilder()
                .setError(error))
        .addSteps(
            StepRun.newBuilder()
                .setStepId("report")
                .setItemIndex(-1)
                .setState(StepState.STEP_STATE_SKIPPED))
        .build();
  }

  private static StepRun stepRun(String id, StepState state, int attempt, long start, long end) {
    return StepRun.newBuilder()
        .setStepId(id)
        .setItemIndex(-1)
        .setState(state)
        .setAttempt(attempt)
        .setAgentInstance("text@127.0.0.1:7101")
        .setStartTime(at(start))
        .setEndTime(at(end))
        .build();
  }
}
