package dev.meshwork.cli.runs;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Timestamp;
import dev.meshwork.api.orchestrator.v1.Run;
import dev.meshwork.api.orchestrator.v1.RunEvent;
import dev.meshwork.api.orchestrator.v1.StepRun;
import dev.meshwork.api.orchestrator.v1.WorkflowSpec;
import dev.meshwork.cli.output.HumanFormat;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Turns a run's events into progress lines, keeping the count of finished steps and when each step
 * started:
 *
 * <pre>
 * [2/5] summarize WORKING (attempt 1)
 * [3/5] summarize COMPLETED (412 ms, agent text@127.0.0.1:7101)
 * run r-42 COMPLETED in 1.9 s
 * </pre>
 */
final class RunProgress {

  private final String runId;
  private final WorkflowSpec workflow;
  private final Timestamp created;
  private final Set<String> finished = new HashSet<>();
  private final Map<StepKey, Timestamp> started = new HashMap<>();

  /** Progress of {@code run}, as known from StartRun or GetRun. */
  RunProgress(Run run) {
    requireNonNull(run, "run");
    this.runId = run.getRunId();
    this.workflow = run.getWorkflow();
    this.created = run.getCreateTime();
    for (StepRun step : run.getStepsList()) {
      StepKey key = StepKey.of(workflow, step.getStepId(), step.getItemIndex());
      if (HumanFormat.isSet(step.getStartTime())) {
        started.put(key, step.getStartTime());
      }
      if (!key.isElement() && RunStates.isFinished(step.getState())) {
        finished.add(step.getStepId());
      }
    }
  }

  /** {@code run r-1: workflow review v3, 5 steps}. */
  String header() {
    int steps = workflow.getStepsCount();
    String version = workflow.getVersion() > 0 ? " v" + workflow.getVersion() : "";
    return "run "
        + runId
        + ": workflow "
        + name()
        + version
        + ", "
        + steps
        + (steps == 1 ? " step" : " steps");
  }

  /** The line for {@code event} (updating the counters), or empty for events not worth one. */
  Optional<String> line(RunEvent event) {
    StepKey key = StepKey.of(workflow, event.getStepId(), event.getItemIndex());
    String error = RunStates.describe(event.getError());
    return Optional.ofNullable(
        switch (event.getType()) {
          case RUN_EVENT_TYPE_RUN_STARTED -> "run " + runId + " WORKING";
          case RUN_EVENT_TYPE_RUN_COMPLETED -> "run " + runId + " COMPLETED" + took(event);
          case RUN_EVENT_TYPE_RUN_FAILED ->
              "run "
                  + runId
                  + " "
                  + RunStates.name(event.getRunState())
                  + took(event)
                  + suffix(": ", error.isEmpty() ? event.getMessage() : error);
          case RUN_EVENT_TYPE_RUN_CANCELED ->
              "run " + runId + " CANCELED" + took(event) + suffix(": ", event.getMessage());
          case RUN_EVENT_TYPE_RUN_RETRIED -> {
            finished.clear();
            yield "run " + runId + " retried" + suffix(": ", event.getMessage());
          }
          case RUN_EVENT_TYPE_STEP_STARTED -> {
            started.putIfAbsent(key, event.getTime());
            if (!key.isElement()) {
              finished.remove(key.stepId());
            }
            yield counter()
                + key
                + " WORKING (attempt "
                + Math.max(1, event.getAttempt())
                + suffix(", agent ", event.getAgentInstance())
                + ")";
          }
          case RUN_EVENT_TYPE_STEP_RETRYING ->
              counter()
                  + key
                  + " retrying: attempt "
                  + event.getAttempt()
                  + " failed"
                  + suffix(": ", error.isEmpty() ? event.getMessage() : error);
          case RUN_EVENT_TYPE_STEP_COMPLETED ->
              finish(key)
                  + " COMPLETED ("
                  + elapsed(key, event)
                  + suffix(", agent ", event.getAgentInstance())
                  + ")";
          case RUN_EVENT_TYPE_STEP_FAILED ->
              finish(key)
                  + " FAILED after "
                  + attempts(event)
                  + " ("
                  + elapsed(key, event)
                  + ")"
                  + suffix(": ", error.isEmpty() ? event.getMessage() : error);
          case RUN_EVENT_TYPE_STEP_SKIPPED ->
              finish(key) + " SKIPPED" + suffix(" (", event.getMessage(), ")");
          case RUN_EVENT_TYPE_STEP_CANCELED -> finish(key) + " CANCELED";
          case RUN_EVENT_TYPE_STEP_COMPENSATED ->
              counter()
                  + key
                  + (error.isEmpty() ? " COMPENSATED" : " compensation FAILED: " + error);
          default -> null;
        });
  }

  private String finish(StepKey key) {
    if (!key.isElement()) {
      finished.add(key.stepId());
    }
    return counter() + key;
  }

  private String counter() {
    int total = workflow.getStepsCount();
    return "[" + finished.size() + "/" + (total == 0 ? "?" : total) + "] ";
  }

  private String elapsed(StepKey key, RunEvent event) {
    Timestamp start = started.get(key);
    String duration = start == null ? "" : HumanFormat.between(start, event.getTime());
    return duration.isEmpty() ? "attempt " + Math.max(1, event.getAttempt()) : duration;
  }

  private String took(RunEvent event) {
    String duration = HumanFormat.between(created, event.getTime());
    return duration.isEmpty() ? "" : " in " + duration;
  }

  private String name() {
    return workflow.getName().isEmpty() ? "(inline)" : workflow.getName();
  }

  private static String attempts(RunEvent event) {
    int attempts =
        event.getError().getAttempts() > 0 ? event.getError().getAttempts() : event.getAttempt();
    return attempts == 1 ? "1 attempt" : attempts + " attempts";
  }

  private static String suffix(String prefix, String value) {
    return value.isEmpty() ? "" : prefix + value;
  }

  private static String suffix(String prefix, String value, String end) {
    return value.isEmpty() ? "" : prefix + value + end;
  }
}
