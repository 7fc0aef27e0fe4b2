package dev.meshwork.orchestrator.internal;

import dev.meshwork.api.orchestrator.v1.ListRunsRequest;
import dev.meshwork.api.orchestrator.v1.Run;
import dev.meshwork.api.orchestrator.v1.RunState;
import dev.meshwork.api.orchestrator.v1.StartRunRequest;
import dev.meshwork.api.orchestrator.v1.StepRun;
import dev.meshwork.api.orchestrator.v1.WorkflowSpec;
import dev.meshwork.core.MeshException;
import dev.meshwork.core.Violations;
import dev.meshwork.orchestrator.RunFilter;
import dev.meshwork.orchestrator.internal.workflow.WorkflowValidator;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** Checks run requests and turns them into runs and filters. */
public final class RunRequests {

  /** Lowest and highest run priority. */
  public static final int MAX_PRIORITY = 100;

  private static final int MAX_KEY_LENGTH = 512;
  private static final int MAX_LABEL_KEY = 63;
  private static final int MAX_LABEL_VALUE = 256;

  private RunRequests() {}

  /** Checks the fields of a StartRun request other than the workflow itself. */
  public static void checkStart(StartRunRequest request, Violations v) {
    v.check(
        request.getWorkflowSourceCase()
            != StartRunRequest.WorkflowSourceCase.WORKFLOWSOURCE_NOT_SET,
        "workflow",
        "missing (expected: an inline workflow or a workflow_name)");
    v.check(
        request.getWorkflowVersion() >= 0,
        "workflow_version",
        request.getWorkflowVersion() + " (expected: >= 0, 0 for the latest)");
    if (request.hasTimeout()) {
      var t = request.getTimeout();
      if (!ProtoTime.isValid(t) || ProtoTime.toJava(t).isNegative()) {
        v.add("timeout", ProtoTime.format(t) + " (expected: >= 0)");
      } else {
        v.check(
            ProtoTime.toJava(t).compareTo(WorkflowValidator.MAX_RUN_BUDGET) <= 0,
            "timeout",
            ProtoTime.format(t)
                + " (expected: <= "
                + ProtoTime.format(WorkflowValidator.MAX_RUN_BUDGET)
                + ")");
      }
    }
    v.check(
        Math.abs(request.getPriority()) <= MAX_PRIORITY,
        "priority",
        request.getPriority() + " (expected: -" + MAX_PRIORITY + ".." + MAX_PRIORITY + ")");
    v.check(
        request.getIdempotencyKey().length() <= MAX_KEY_LENGTH,
        "idempotency_key",
        request.getIdempotencyKey().length()
            + " characters (expected: at most "
            + MAX_KEY_LENGTH
            + ")");
    checkLabels(request.getLabelsMap(), "labels", v);
  }

  /** Checks labels: non-empty keys of at most 63 characters, values of at most 256. */
  public static void checkLabels(Map<String, String> labels, String field, Violations v) {
    for (Map.Entry<String, String> label : new TreeMap<>(labels).entrySet()) {
      v.check(
          !label.getKey().isEmpty() && label.getKey().length() <= MAX_LABEL_KEY,
          field + "." + label.getKey(),
          "key '" + label.getKey() + "' (expected: 1.." + MAX_LABEL_KEY + " characters)");
      v.check(
          label.getValue().length() <= MAX_LABEL_VALUE,
          field + "." + label.getKey(),
          "value of "
              + label.getValue().length()
              + " characters (expected: at most "
              + MAX_LABEL_VALUE
              + ")");
    }
  }

  /** The run's budget: StartRun's timeout, else the workflow's, else the default. */
  public static Duration budgetOf(StartRunRequest request, WorkflowSpec spec, Duration fallback) {
    if (request.hasTimeout() && ProtoTime.isValid(request.getTimeout())) {
      Duration t = ProtoTime.toJava(request.getTimeout());
      if (!t.isZero() && !t.isNegative()) {
        return t;
      }
    }
    if (spec.hasTimeout() && ProtoTime.isValid(spec.getTimeout())) {
      Duration t = ProtoTime.toJava(spec.getTimeout());
      if (!t.isZero() && !t.isNegative()) {
        return t;
      }
    }
    return fallback;
  }

  /** A new SUBMITTED run of {@code spec}. */
  public static Run newRun(
      StartRunRequest request, WorkflowSpec spec, Instant now, Duration budget) {
    return Run.newBuilder()
        .setRunId(RunIds.next(now))
        .setWorkflow(spec)
        .setState(RunState.RUN_STATE_SUBMITTED)
        .setInput(request.getInput())
        .setIdempotencyKey(request.getIdempotencyKey())
        .setPriority(request.getPriority())
        .putAllLabels(spec.getLabelsMap())
        .putAllLabels(request.getLabelsMap())
        .setCreateTime(ProtoTime.toTimestamp(now))
        .setDeadline(ProtoTime.toTimestamp(now.plus(budget)))
        .build();
  }

  /** The filter of a ListRuns request. */
  public static RunFilter filterOf(ListRunsRequest request) {
    Violations v = new Violations();
    Set<RunState> states = new HashSet<>();
    for (int i = 0; i < request.getStatesCount(); i++) {
      RunState state = request.getStates(i);
      if (v.check(
          state != RunState.UNRECOGNIZED && state != RunState.RUN_STATE_UNSPECIFIED,
          "states[" + i + "]",
          request.getStatesValue(i) + " (expected: a RunState)")) {
        states.add(state);
      }
    }
    checkPageSize(request.getPageSize(), v);
    v.throwIfAny();
    return new RunFilter(states, request.getWorkflowName(), request.getLabelsMap());
  }

  /** Checks a page size: 0 (the default) or 1..1000. */
  public static void checkPageSize(int pageSize, Violations v) {
    v.check(
        pageSize >= 0 && pageSize <= 1000,
        "page_size",
        pageSize + " (expected: 1..1000, 0 for the default)");
  }

  /** A page size with the default applied. */
  public static int pageSizeOf(int pageSize) {
    return pageSize == 0 ? 50 : pageSize;
  }

  /** A run without step inputs and outputs (for listings). */
  public static Run summaryOf(Run run) {
    Run.Builder b = run.toBuilder();
    for (int i = 0; i < b.getStepsCount(); i++) {
      StepRun step = b.getSteps(i);
      b.setSteps(i, step.toBuilder().clearInput().clearOutput());
    }
    return b.build();
  }

  /** Fails unless {@code runId} looks like a run id. */
  public static void checkRunId(String runId) {
    if (runId.isEmpty()) {
      throw MeshException.invalidArgument("run_id", "missing (expected: a run id)");
    }
  }
}
