package dev.meshwork.orchestrator.internal.engine;

import static java.util.Objects.requireNonNull;

import dev.meshwork.api.common.v1.Part;
import dev.meshwork.api.orchestrator.v1.FailureAction;
import dev.meshwork.api.orchestrator.v1.MissingSkillPolicy;
import dev.meshwork.api.orchestrator.v1.Run;
import dev.meshwork.api.orchestrator.v1.RunEvent;
import dev.meshwork.api.orchestrator.v1.RunEventType;
import dev.meshwork.api.orchestrator.v1.RunState;
import dev.meshwork.api.orchestrator.v1.Step;
import dev.meshwork.api.orchestrator.v1.StepError;
import dev.meshwork.api.orchestrator.v1.StepRun;
import dev.meshwork.api.orchestrator.v1.StepState;
import dev.meshwork.orchestrator.AgentResult;
import dev.meshwork.orchestrator.internal.ProtoTime;
import dev.meshwork.orchestrator.internal.expr.Evaluator;
import dev.meshwork.orchestrator.internal.expr.ExpressionException;
import dev.meshwork.orchestrator.internal.expr.InputRenderer;
import dev.meshwork.orchestrator.internal.expr.Values;
import dev.meshwork.orchestrator.internal.workflow.RetrySettings;
import dev.meshwork.orchestrator.internal.workflow.WorkflowGraph;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Drives one run through its DAG. All state changes happen under this object's lock and are queued,
 * as events, to the {@link RunLogWriter}, which stores them before any watcher sees them; agent
 * calls start outside the lock, on the dispatcher's workers, and report back through {@link
 * #onCallDone} on the thread that completes them.
 *
 * <p>The state is rebuilt from the stored run alone, so the same code starts a new run, resumes one
 * after a crash (completed steps are not repeated, steps that were in flight are dispatched again
 * with the same idempotency key) and re-drives a failed one.
 */
final class RunExecution {

  private static final Logger LOG = Logger.getLogger(RunExecution.class.getName());

  private enum Phase {
    NEW,
    RUNNING,
    TERMINATING,
    FINISHED
  }

  private enum Kind {
    PRIMARY,
    FALLBACK,
    COMPENSATION
  }

  /** A queued or running call of a step. */
  private static final class Active {
    final StepKey key;
    final Kind kind;
    final String skill;
    final List<Part> input;
    WorkItem item;
    volatile ResilientCall.Execution execution;
    volatile boolean cancelled;

    Active(StepKey key, Kind kind, String skill, List<Part> input) {
      this.key = key;
      this.kind = kind;
      this.skill = skill;
      this.input = input;
    }
  }

  /** Progress of a for_each step. */
  private static final class FanOut {
    final List<Object> items;
    final int maxConcurrency;
    int next;
    int running;
    int done;

    FanOut(List<Object> items, int maxConcurrency) {
      this.items = items;
      this.maxConcurrency = maxConcurrency;
    }
  }

  private final EngineContext ctx;
  private final RunTracing tracing;
  private final WorkflowGraph graph;
  private final Consumer<RunExecution> onFinished;
  private final Map<StepKey, Active> active = new HashMap<>();
  private final Map<String, FanOut> fanOuts = new HashMap<>();
  private final List<String> launched = new ArrayList<>();
  private final List<String> completionOrder;
  private Run.Builder run;
  private Phase phase = Phase.NEW;
  private RunState terminalState;
  private StepError runError;
  private ScheduledFuture<?> deadlineTimer;

  /** The write of the latest events; later writes of this run complete after it. */
  private CompletableFuture<Void> lastWrite = CompletableFuture.completedFuture(null);

  private boolean released;

  /**
   * An execution of a stored run.
   *
   * @param completionOrder ids of the run's completed steps in completion order (from its events)
   * @param tracing the run's spans, started by the caller
   * @param onFinished called once the run reached a terminal state
   */
  RunExecution(
      EngineContext ctx,
      Run stored,
      List<String> completionOrder,
      RunTracing tracing,
      Consumer<RunExecution> onFinished) {
    this.ctx = requireNonNull(ctx, "ctx");
    this.tracing = requireNonNull(tracing, "tracing");
    this.run = stored.toBuilder();
    this.graph = new WorkflowGraph(stored.getWorkflow());
    this.completionOrder = new ArrayList<>(completionOrder);
    this.onFinished = requireNonNull(onFinished, "onFinished");
  }

  String runId() {
    return run.getRunId();
  }

  /** The run span's context, with the run id for log lines; current while working on the run. */
  Context context() {
    return tracing.context();
  }

  /** Starts or resumes the run. */
  synchronized void start() {
    if (phase != Phase.NEW) {
      return;
    }
    phase = Phase.RUNNING;
    if (run.getState() == RunState.RUN_STATE_SUBMITTED) {
      commit(List.of(event(RunEventType.RUN_EVENT_TYPE_RUN_STARTED)), null);
    }
    if (run.hasError()) {
      // The run was failing or being cancelled when the orchestrator stopped: finish that.
      StepError error = run.getError();
      RunState target =
          "CANCELLED".equals(error.getCode())
              ? RunState.RUN_STATE_CANCELED
              : RunState.RUN_STATE_FAILED;
      terminate(target, error);
      return;
    }
    for (StepRun step : run.getStepsList()) {
      if (step.getItemIndex() == StepKey.WHOLE
          && step.getState() == StepState.STEP_STATE_FAILED
          && failureAction(graph.step(step.getStepId())) != FailureAction.FAILURE_ACTION_CONTINUE) {
        terminate(RunState.RUN_STATE_FAILED, runErrorOf(step.getStepId(), step.getError()));
        return;
      }
    }
    Instant deadline = ProtoTime.toInstant(run.getDeadline());
    if (!ctx.clock().instant().isBefore(deadline)) {
      onDeadline();
      return;
    }
    deadlineTimer =
        ctx.scheduler()
            .schedule(
                tracing.context().wrap(this::onDeadline),
                Duration.between(ctx.clock().instant(), deadline).toMillis(),
                TimeUnit.MILLISECONDS);
    // Steps that were in flight when the orchestrator stopped run again, same idempotency key.
    for (Step step : graph.steps()) {
      StepRun whole = whole(step.getId());
      if (whole != null && !isTerminal(whole.getState())) {
        launch(step);
      }
    }
    advance();
  }

  /**
   * Cancels the run: in-flight calls are cancelled, then compensations run.
   *
   * @return the run once its cancellation is stored
   */
  synchronized CompletableFuture<Run> cancel(String reason) {
    if (phase == Phase.RUNNING || phase == Phase.NEW) {
      phase = Phase.RUNNING;
      terminate(
          RunState.RUN_STATE_CANCELED,
          StepErrors.of(
              "CANCELLED", "CANCELED", reason.isEmpty() ? "cancelled by CancelRun" : reason));
    }
    Run snapshot = run.build();
    return lastWrite.thenApply(stored -> snapshot);
  }

  /** Completes once every event of the run queued so far is stored. */
  synchronized CompletableFuture<Void> written() {
    return lastWrite;
  }

  /** True once the run reached its terminal state and it is stored. */
  synchronized boolean isFinished() {
    return phase == Phase.FINISHED && lastWrite.isDone();
  }

  /** The run as this execution sees it (the stored state). */
  synchronized Run snapshot() {
    return run.build();
  }

  // ---------------------------------------------------------------- scheduling

  /** Decides every step whose dependencies are settled; completes the run when all are. */
  private void advance() {
    boolean progress = true;
    while (progress && phase == Phase.RUNNING) {
      progress = false;
      for (Step step : graph.steps()) {
        if (phase != Phase.RUNNING) {
          return;
        }
        String id = step.getId();
        if (launched.contains(id) || whole(id) != null) {
          continue;
        }
        String notCompleted = null;
        boolean settled = true;
        for (String dep : step.getDependsOnList()) {
          StepRun d = whole(dep);
          if (d == null || !isTerminal(d.getState())) {
            settled = false;
            break;
          }
          if (d.getState() != StepState.STEP_STATE_COMPLETED && notCompleted == null) {
            notCompleted = dep;
          }
        }
        if (!settled) {
          continue;
        }
        progress = true;
        if (notCompleted != null) {
          skip(id, "dependency '" + notCompleted + "' did not complete");
          continue;
        }
        if (!step.getCondition().isEmpty()) {
          boolean holds;
          try {
            holds =
                Evaluator.test(
                    InputRenderer.parseBareOrPlaceholder(step.getCondition()),
                    RunScope.of(run, graph));
          } catch (ExpressionException e) {
            failStep(StepKey.whole(id), expressionError("condition", e), false);
            continue;
          }
          if (!holds) {
            skip(id, "condition is false: " + step.getCondition());
            continue;
          }
        }
        launch(step);
      }
    }
    if (phase == Phase.RUNNING && allSettled()) {
      finish(RunState.RUN_STATE_COMPLETED, null);
    }
  }

  private boolean allSettled() {
    for (Step step : graph.steps()) {
      StepRun s = whole(step.getId());
      if (s == null || !isTerminal(s.getState())) {
        return false;
      }
    }
    return true;
  }

  private void launch(Step step) {
    String id = step.getId();
    tracing.stepStarted(id, step.getSkill());
    if (!launched.contains(id)) {
      launched.add(id);
    }
    if (!step.getForEach().isEmpty()) {
      startFanOut(step);
      return;
    }
    List<Part> input;
    try {
      input = renderInput(step, null, false);
    } catch (ExpressionException e) {
      failStep(StepKey.whole(id), expressionError("input", e), false);
      return;
    }
    enqueue(new Active(StepKey.whole(id), Kind.PRIMARY, step.getSkill(), input));
  }

  private void startFanOut(Step step) {
    String id = step.getId();
    Object value;
    try {
      value =
          Evaluator.evaluate(
              InputRenderer.parseBareOrPlaceholder(step.getForEach()), RunScope.of(run, graph));
    } catch (ExpressionException e) {
      failStep(StepKey.whole(id), expressionError("for_each", e), false);
      return;
    }
    if (!(value instanceof List<?> list)) {
      failStep(
          StepKey.whole(id),
          StepErrors.of(
              "INVALID_ARGUMENT",
              "FOR_EACH_NOT_A_LIST",
              "for_each '"
                  + step.getForEach()
                  + "' is "
                  + Values.toText(value)
                  + " (expected: a list)"),
          false);
      return;
    }
    FanOut fanOut =
        new FanOut(
            new ArrayList<>(list), step.getMaxConcurrency() == 0 ? 4 : step.getMaxConcurrency());
    fanOuts.put(id, fanOut);
    StepRun whole = whole(id);
    if (whole == null || whole.getState() != StepState.STEP_STATE_WORKING) {
      commit(
          List.of(
              stepEvent(
                      RunEventType.RUN_EVENT_TYPE_STEP_STARTED,
                      StepKey.whole(id),
                      StepState.STEP_STATE_WORKING)
                  .setMessage("fan-out over " + list.size() + " items")),
          null);
    }
    fillFanOut(step, fanOut);
  }

  private void fillFanOut(Step step, FanOut fanOut) {
    String id = step.getId();
    while (phase == Phase.RUNNING
        && fanOut.running < fanOut.maxConcurrency
        && fanOut.next < fanOut.items.size()) {
      int i = fanOut.next++;
      StepRun element = find(id, i);
      if (element != null && element.getState() == StepState.STEP_STATE_COMPLETED) {
        fanOut.done++; // completed before a crash or a RetryRun: not repeated
        continue;
      }
      List<Part> input;
      try {
        input = renderInput(step, fanOut.items.get(i), true);
      } catch (ExpressionException e) {
        failStep(new StepKey(id, i), expressionError("input", e), false);
        return;
      }
      fanOut.running++;
      enqueue(new Active(new StepKey(id, i), Kind.PRIMARY, step.getSkill(), input));
    }
    if (phase == Phase.RUNNING && fanOut.done == fanOut.items.size()) {
      fanOuts.remove(id);
      List<Part> output = new ArrayList<>();
      for (int i = 0; i < fanOut.items.size(); i++) {
        output.add(asOnePart(find(id, i).getOutputList()));
      }
      completeStep(StepKey.whole(id), AgentResult.of(output));
    }
  }

  private static Part asOnePart(List<Part> parts) {
    return parts.size() == 1 ? parts.get(0) : Values.toPart(Values.fromParts(parts));
  }

  private List<Part> renderInput(Step step, Object item, boolean inFanOut) {
    RunScope scope = inFanOut ? RunScope.withItem(run, graph, item) : RunScope.of(run, graph);
    if (step.hasInput()) {
      return Values.toParts(InputRenderer.render(step.getInput(), scope));
    }
    if (inFanOut) {
      return Values.toParts(item);
    }
    if (step.getDependsOnCount() == 0) {
      return List.of(Part.newBuilder().setData(run.getInput()).build());
    }
    List<Part> parts = new ArrayList<>();
    for (String dep : step.getDependsOnList()) {
      parts.addAll(whole(dep).getOutputList());
    }
    return parts;
  }

  // ---------------------------------------------------------------- calls

  private void enqueue(Active call) {
    Active previous = active.put(call.key, call);
    if (previous != null) {
      cancelCall(previous);
    }
    call.item = ctx.dispatcher().newItem(call.skill, run.getPriority(), () -> runCall(call));
    ctx.dispatcher().submit(call.item);
  }

  /** Runs on a dispatcher worker, outside the lock. */
  @SuppressWarnings("try") // the scope is only opened and closed
  private void runCall(Active call) {
    try (Scope ignored = tracing.context().makeCurrent()) {
      runCallInContext(call);
    }
  }

  private void runCallInContext(Active call) {
    ResilientCall.Spec spec;
    synchronized (this) {
      if (!isCurrent(call)) {
        ctx.dispatcher().release(call.item);
        return;
      }
      spec = specOf(call);
    }
    ResilientCall.Execution execution;
    try {
      execution = ctx.callOf(call.skill).execute(spec, listenerOf(call));
    } catch (RuntimeException e) {
      ctx.dispatcher().release(call.item);
      onCallDone(call, null, e);
      return;
    }
    call.execution = execution;
    if (call.cancelled) {
      execution.cancel();
    }
    // On the thread that completes the call (usually the transport thread that read the agent's
    // answer): a hand-off to another thread here was the costliest on a step's path. Failsafe
    // completes the future holding its own lock, and onCallDone then takes this run's lock; that
    // order is safe because nothing holding a run's lock waits for an execution's lock (cancelCall
    // hands the cancellation to the scheduler).
    execution
        .future()
        .whenComplete(
            tracing
                .context()
                .wrapConsumer(
                    (result, failure) -> {
                      ctx.dispatcher().release(call.item);
                      onCallDone(call, result, failure);
                    }));
  }

  private ResilientCall.Spec specOf(Active call) {
    Step step = graph.step(call.key.stepId());
    RetrySettings retry = RetrySettings.of(step, run.getWorkflow());
    if (call.kind == Kind.COMPENSATION) {
      Duration budget = ctx.config().compensationTimeout();
      return new ResilientCall.Spec(
          call.skill,
          call.input,
          call.key.idempotencyKey(run.getRunId()) + "/compensate",
          1,
          budget,
          ctx.clock().instant().plus(budget),
          retry,
          false);
    }
    StepRun current = find(call.key.stepId(), call.key.item());
    int firstAttempt = current == null ? 1 : current.getAttempt() + 1;
    Duration timeout =
        step.hasTimeout() && !ProtoTime.toJava(step.getTimeout()).isZero()
            ? ProtoTime.toJava(step.getTimeout())
            : ctx.config().defaultStepTimeout();
    String key =
        call.key.idempotencyKey(run.getRunId()) + (call.kind == Kind.FALLBACK ? "/fallback" : "");
    boolean waitForReady =
        run.getWorkflow().getMissingSkillPolicy() == MissingSkillPolicy.MISSING_SKILL_POLICY_WAIT;
    return new ResilientCall.Spec(
        call.skill,
        call.input,
        key,
        firstAttempt,
        timeout,
        ProtoTime.toInstant(run.getDeadline()),
        retry,
        waitForReady);
  }

  private ResilientCall.Listener listenerOf(Active call) {
    return new ResilientCall.Listener() {
      @Override
      public RunTracing.Attempt onAttemptStart(int attempt) {
        synchronized (RunExecution.this) {
          if (!isCurrent(call)) {
            throw new CancellationException("the run is no longer running");
          }
          RunTracing.Attempt trace =
              tracing.attemptStarted(call.key, call.kind == Kind.COMPENSATION, call.skill, attempt);
          if (call.kind == Kind.COMPENSATION) {
            return trace;
          }
          RunEvent.Builder started =
              stepEvent(
                      RunEventType.RUN_EVENT_TYPE_STEP_STARTED,
                      call.key,
                      StepState.STEP_STATE_WORKING)
                  .setAttempt(attempt);
          if (call.kind == Kind.FALLBACK) {
            started.setMessage("fallback to skill " + call.skill);
          }
          commit(
              List.of(started),
              b -> {
                int index = RunProjection.indexOf(b, call.key.stepId(), call.key.item());
                b.setSteps(
                    index, b.getSteps(index).toBuilder().clearInput().addAllInput(call.input));
              });
          return trace;
        }
      }

      @Override
      public void onRetryScheduled(int attempt, StepError error, Duration delay) {
        synchronized (RunExecution.this) {
          if (!isCurrent(call) || call.kind == Kind.COMPENSATION) {
            return;
          }
          commit(
              List.of(
                  stepEvent(
                          RunEventType.RUN_EVENT_TYPE_STEP_RETRYING,
                          call.key,
                          StepState.STEP_STATE_WORKING)
                      .setAttempt(attempt)
                      .setError(error)
                      .setMessage("retrying in " + delay.toMillis() + "ms")),
              null);
        }
      }
    };
  }

  private boolean isCurrent(Active call) {
    if (active.get(call.key) != call || call.cancelled) {
      return false;
    }
    return call.kind == Kind.COMPENSATION ? phase == Phase.TERMINATING : phase == Phase.RUNNING;
  }

  private synchronized void onCallDone(Active call, AgentResult result, Throwable failure) {
    if (active.get(call.key) != call) {
      return; // cancelled or replaced meanwhile
    }
    active.remove(call.key);
    try {
      if (call.kind == Kind.COMPENSATION) {
        onCompensated(call, failure);
        return;
      }
      if (phase != Phase.RUNNING) {
        return;
      }
      if (failure == null) {
        completeStep(call.key, result);
        return;
      }
      StepRun current = find(call.key.stepId(), call.key.item());
      StepError error = StepErrors.toStepError(failure, current == null ? 0 : current.getAttempt());
      Step step = graph.step(call.key.stepId());
      if (call.kind == Kind.PRIMARY
          && step.getOnFailure() == FailureAction.FAILURE_ACTION_FALLBACK) {
        commit(
            List.of(
                stepEvent(
                        RunEventType.RUN_EVENT_TYPE_STEP_RETRYING,
                        call.key,
                        StepState.STEP_STATE_WORKING)
                    .setError(error)
                    .setMessage("falling back to skill " + step.getFallbackSkill())),
            null);
        enqueue(new Active(call.key, Kind.FALLBACK, step.getFallbackSkill(), call.input));
        return;
      }
      failStep(call.key, error, call.kind == Kind.FALLBACK);
    } catch (RuntimeException e) {
      LOG.log(Level.SEVERE, "run " + runId() + ": cannot record the end of " + call.key, e);
    }
  }

  private void completeStep(StepKey key, AgentResult result) {
    commit(
        List.of(
            stepEvent(
                    RunEventType.RUN_EVENT_TYPE_STEP_COMPLETED, key, StepState.STEP_STATE_COMPLETED)
                .addAllOutput(result.output())
                .setAgentInstance(result.agentInstance())),
        null);
    if (!key.isWhole()) {
      FanOut fanOut = fanOuts.get(key.stepId());
      if (fanOut != null) {
        fanOut.running--;
        fanOut.done++;
        fillFanOut(graph.step(key.stepId()), fanOut);
      }
      return;
    }
    tracing.stepEnded(key.stepId(), skillOf(key.stepId()), "COMPLETED", null, null);
    completionOrder.add(key.stepId());
    advance();
  }

  /** Records a failed step (or element) and applies its on_failure action. */
  private void failStep(StepKey key, StepError error, boolean afterFallback) {
    commit(
        List.of(
            stepEvent(RunEventType.RUN_EVENT_TYPE_STEP_FAILED, key, StepState.STEP_STATE_FAILED)
                .setError(error)),
        null);
    if (!key.isWhole()) {
      // One element failed for good: the step fails; its other elements are cancelled.
      fanOuts.remove(key.stepId());
      List<RunEvent.Builder> events = new ArrayList<>();
      for (Active other : List.copyOf(active.values())) {
        if (other.key.stepId().equals(key.stepId())) {
          active.remove(other.key);
          cancelCall(other);
          events.add(
              stepEvent(
                      RunEventType.RUN_EVENT_TYPE_STEP_CANCELED,
                      other.key,
                      StepState.STEP_STATE_CANCELED)
                  .setMessage("another element of the step failed"));
        }
      }
      if (!events.isEmpty()) {
        commit(events, null);
      }
      failStep(
          StepKey.whole(key.stepId()),
          error.toBuilder().setMessage("item " + key.item() + ": " + error.getMessage()).build(),
          afterFallback);
      return;
    }
    String skill = skillOf(key.stepId());
    tracing.stepEnded(
        key.stepId(),
        skill,
        "FAILED",
        error,
        "CIRCUIT_OPEN".equals(error.getReason()) ? ctx.policies().breakerState(skill) : null);
    FailureAction action = failureAction(graph.step(key.stepId()));
    if (action == FailureAction.FAILURE_ACTION_CONTINUE) {
      advance();
      return;
    }
    terminate(RunState.RUN_STATE_FAILED, runErrorOf(key.stepId(), error));
  }

  private void skip(String stepId, String why) {
    tracing.stepSkipped(skillOf(stepId));
    commit(
        List.of(
            stepEvent(
                    RunEventType.RUN_EVENT_TYPE_STEP_SKIPPED,
                    StepKey.whole(stepId),
                    StepState.STEP_STATE_SKIPPED)
                .setMessage(why)),
        null);
  }

  // ---------------------------------------------------------------- ending

  private synchronized void onDeadline() {
    if (phase != Phase.RUNNING) {
      return;
    }
    Duration budget =
        Duration.between(
            ProtoTime.toInstant(run.getCreateTime()), ProtoTime.toInstant(run.getDeadline()));
    try {
      terminate(
          RunState.RUN_STATE_FAILED,
          StepErrors.of(
              "DEADLINE_EXCEEDED",
              "RUN_DEADLINE_EXCEEDED",
              "the run did not finish within its budget (" + ProtoTime.format(budget) + ")"));
    } catch (RuntimeException e) {
      LOG.log(Level.SEVERE, "run " + runId() + ": cannot fail after its deadline", e);
    }
  }

  /**
   * Stops the run: cancels what is queued or in flight, then compensates completed steps in reverse
   * completion order, then records the terminal event.
   */
  private void terminate(RunState target, StepError error) {
    if (phase != Phase.RUNNING) {
      return;
    }
    phase = Phase.TERMINATING;
    terminalState = target;
    runError = error;
    if (deadlineTimer != null) {
      deadlineTimer.cancel(false);
    }
    List<RunEvent.Builder> events = new ArrayList<>();
    for (Active call : List.copyOf(active.values())) {
      active.remove(call.key);
      cancelCall(call);
      events.add(
          stepEvent(
                  RunEventType.RUN_EVENT_TYPE_STEP_CANCELED,
                  call.key,
                  StepState.STEP_STATE_CANCELED)
              .setMessage(error.getMessage()));
    }
    for (String stepId : List.copyOf(fanOuts.keySet())) {
      events.add(
          stepEvent(
                  RunEventType.RUN_EVENT_TYPE_STEP_CANCELED,
                  StepKey.whole(stepId),
                  StepState.STEP_STATE_CANCELED)
              .setMessage(error.getMessage()));
    }
    fanOuts.clear();
    for (RunEvent.Builder cancelled : events) {
      if (cancelled.getItemIndex() == StepKey.WHOLE) {
        String stepId = cancelled.getStepId();
        tracing.stepEnded(stepId, skillOf(stepId), "CANCELED", null, null);
      }
    }
    // The error is stored with the first events of the ending, so that a restart finishes it.
    commit(events, b -> b.setError(error));
    compensateNext();
  }

  private void cancelCall(Active call) {
    call.cancelled = true;
    ctx.dispatcher().cancel(call.item);
    ResilientCall.Execution execution = call.execution;
    if (execution != null) {
      // Not under this run's lock: cancelling enters Failsafe, whose callbacks take that lock.
      try {
        ctx.scheduler().execute(execution::cancel);
      } catch (RejectedExecutionException e) {
        execution.cancel(); // the engine is closing; nothing will call back any more
      }
    }
  }

  /**
   * Starts the next compensation, or finishes the run when none is left: first the completed
   * elements of fan-out steps that failed or were cancelled (they ran last), then completed steps
   * in reverse completion order. A fan-out step is compensated element by element (each had its own
   * side effect), the latest first; its compensation input may use {@code item}.
   */
  private void compensateNext() {
    for (Step step : graph.steps()) {
      StepRun whole = whole(step.getId());
      if (isFanOut(step)
          && step.hasCompensate()
          && whole != null
          && (whole.getState() == StepState.STEP_STATE_FAILED
              || whole.getState() == StepState.STEP_STATE_CANCELED)
          && compensateNextElement(step)) {
        return;
      }
    }
    for (int i = completionOrder.size() - 1; i >= 0; i--) {
      String stepId = completionOrder.get(i);
      Step step = graph.step(stepId);
      StepRun done = whole(stepId);
      if (step == null
          || !step.hasCompensate()
          || done == null
          || done.getState() != StepState.STEP_STATE_COMPLETED
          || done.hasError()) {
        continue;
      }
      if (isFanOut(step)) {
        if (compensateNextElement(step)) {
          return;
        }
        recordCompensation(StepKey.whole(stepId), elementsNotCompensated(stepId));
        continue;
      }
      List<Part> input;
      try {
        input = compensationInput(step, done, RunScope.of(run, graph));
      } catch (ExpressionException e) {
        recordCompensation(StepKey.whole(stepId), expressionError("compensate.input", e));
        continue;
      }
      tracing.compensationStarted(stepId, step.getCompensate().getSkill());
      enqueue(
          new Active(
              StepKey.whole(stepId), Kind.COMPENSATION, step.getCompensate().getSkill(), input));
      return;
    }
    finish(terminalState, runError);
  }

  /** Starts the compensation of the step's next completed element; false when none is left. */
  private boolean compensateNextElement(Step step) {
    while (true) {
      StepRun element = lastCompletedElement(step.getId());
      if (element == null) {
        return false;
      }
      StepKey key = new StepKey(step.getId(), element.getItemIndex());
      List<Part> input;
      try {
        input =
            compensationInput(
                step, element, RunScope.withItem(run, graph, itemOf(step, key.item())));
      } catch (ExpressionException e) {
        recordCompensation(key, expressionError("compensate.input", e));
        continue;
      }
      tracing.compensationStarted(step.getId(), step.getCompensate().getSkill());
      enqueue(new Active(key, Kind.COMPENSATION, step.getCompensate().getSkill(), input));
      return true;
    }
  }

  /** The compensate.input template rendered in {@code scope}, else the output of what ran. */
  private static List<Part> compensationInput(Step step, StepRun done, RunScope scope) {
    if (!step.getCompensate().hasInput()) {
      return done.getOutputList();
    }
    return Values.toParts(InputRenderer.render(step.getCompensate().getInput(), scope));
  }

  /** Null when every element of a fan-out step was compensated, else the error to record. */
  private StepError elementsNotCompensated(String stepId) {
    int failed = 0;
    for (StepRun s : run.getStepsList()) {
      if (s.getStepId().equals(stepId)
          && s.getItemIndex() != StepKey.WHOLE
          && s.getState() == StepState.STEP_STATE_COMPLETED) {
        failed++;
      }
    }
    return failed == 0
        ? null
        : StepErrors.of(
            "ABORTED",
            "COMPENSATION_INCOMPLETE",
            failed + " element(s) could not be compensated (see their errors)");
  }

  private static boolean isFanOut(Step step) {
    return step != null && !step.getForEach().isEmpty();
  }

  /** The completed, not yet compensated element of a step with the highest index, or null. */
  private StepRun lastCompletedElement(String stepId) {
    StepRun last = null;
    for (StepRun s : run.getStepsList()) {
      if (s.getStepId().equals(stepId)
          && s.getItemIndex() != StepKey.WHOLE
          && s.getState() == StepState.STEP_STATE_COMPLETED
          && !s.hasError()
          && (last == null || s.getItemIndex() > last.getItemIndex())) {
        last = s;
      }
    }
    return last;
  }

  /** Element {@code index} of a fan-out step's list, evaluated again as when it ran. */
  private Object itemOf(Step step, int index) {
    Object list =
        Evaluator.evaluate(
            InputRenderer.parseBareOrPlaceholder(step.getForEach()), RunScope.of(run, graph));
    return list instanceof List<?> items && index < items.size() ? items.get(index) : null;
  }

  private void onCompensated(Active call, Throwable failure) {
    recordCompensation(call.key, failure == null ? null : StepErrors.toStepError(failure, 0));
    compensateNext();
  }

  private void recordCompensation(StepKey key, StepError error) {
    tracing.compensationEnded(key.stepId(), error);
    RunEvent.Builder event =
        stepEvent(
            RunEventType.RUN_EVENT_TYPE_STEP_COMPENSATED,
            key,
            error == null ? StepState.STEP_STATE_COMPENSATED : StepState.STEP_STATE_COMPLETED);
    if (error != null) {
      event.setError(error).setMessage("compensation failed: " + error.getMessage());
    }
    commit(List.of(event), null);
  }

  private void finish(RunState state, StepError error) {
    phase = Phase.FINISHED;
    if (deadlineTimer != null) {
      deadlineTimer.cancel(false);
    }
    RunEventType type =
        switch (state) {
          case RUN_STATE_COMPLETED -> RunEventType.RUN_EVENT_TYPE_RUN_COMPLETED;
          case RUN_STATE_CANCELED -> RunEventType.RUN_EVENT_TYPE_RUN_CANCELED;
          default -> RunEventType.RUN_EVENT_TYPE_RUN_FAILED;
        };
    RunEvent.Builder event = event(type);
    if (error != null) {
      event.setError(error).setMessage(error.getMessage());
    }
    try {
      commit(List.of(event), null);
    } finally {
      tracing.runEnded(state, error);
      // The engine forgets the run once its end is stored: until then GetRun, which reads the
      // store, could still see it running, and RetryRun must not start a second execution.
      lastWrite.whenComplete((stored, failure) -> release());
    }
  }

  private void release() {
    synchronized (this) {
      if (released) {
        return;
      }
      released = true;
    }
    onFinished.accept(this);
  }

  /**
   * Its events could not be stored: the run stops here, where the store last saw it, and resumes
   * from there on the next start (the store may be back by then). Calls in flight are cancelled.
   */
  private synchronized void onStoreFailure(Throwable failure) {
    if (phase == Phase.FINISHED && released) {
      return;
    }
    LOG.log(
        Level.SEVERE,
        "run " + runId() + ": cannot store its events; it stops until the next start",
        failure);
    phase = Phase.FINISHED;
    if (deadlineTimer != null) {
      deadlineTimer.cancel(false);
    }
    for (Active call : List.copyOf(active.values())) {
      cancelCall(call);
    }
    active.clear();
    fanOuts.clear();
    tracing.suspended("cannot store the run's events: " + failure.getMessage());
    release();
  }

  // ---------------------------------------------------------------- events

  private RunEvent.Builder event(RunEventType type) {
    return RunEvent.newBuilder().setType(type).setItemIndex(StepKey.WHOLE);
  }

  private RunEvent.Builder stepEvent(RunEventType type, StepKey key, StepState state) {
    return RunEvent.newBuilder()
        .setType(type)
        .setStepId(key.stepId())
        .setItemIndex(key.item())
        .setStepState(state);
  }

  /**
   * Numbers and applies events (with an optional extra change of the run), and queues them to the
   * writer, which stores them and then tells the listener. A failed write stops the run.
   */
  private void commit(List<RunEvent.Builder> events, Consumer<Run.Builder> extra) {
    if (events.isEmpty() && extra == null) {
      return;
    }
    Run.Builder next = run.clone();
    List<RunEvent> built = new ArrayList<>(events.size());
    var now = ProtoTime.toTimestamp(ctx.clock().instant());
    for (RunEvent.Builder b : events) {
      b.setRunId(next.getRunId()).setSequence(next.getLastSequence() + 1).setTime(now);
      b.setRunState(RunProjection.stateAfter(b.build(), next.getState()));
      RunEvent event = b.build();
      RunProjection.apply(next, event);
      built.add(event);
    }
    if (extra != null) {
      extra.accept(next);
    }
    run = next;
    lastWrite = ctx.writer().append(next.build(), built);
    lastWrite.whenComplete(
        (stored, failure) -> {
          if (failure != null) {
            // Not on the writer's thread: this takes the run's lock.
            try {
              ctx.scheduler().execute(() -> onStoreFailure(failure));
            } catch (RejectedExecutionException e) {
              LOG.log(Level.WARNING, "run " + runId() + ": not stored at shutdown", failure);
            }
          }
        });
  }

  // ---------------------------------------------------------------- helpers

  private String skillOf(String stepId) {
    Step step = graph.step(stepId);
    return step == null ? "" : step.getSkill();
  }

  private StepRun whole(String stepId) {
    return find(stepId, StepKey.WHOLE);
  }

  private StepRun find(String stepId, int item) {
    int index = RunProjection.indexOf(run, stepId, item);
    return index < 0 ? null : run.getSteps(index);
  }

  private static boolean isTerminal(StepState state) {
    return switch (state) {
      case STEP_STATE_COMPLETED,
              STEP_STATE_FAILED,
              STEP_STATE_CANCELED,
              STEP_STATE_REJECTED,
              STEP_STATE_SKIPPED,
              STEP_STATE_COMPENSATED ->
          true;
      default -> false;
    };
  }

  private static FailureAction failureAction(Step step) {
    return step == null ? FailureAction.FAILURE_ACTION_FAIL_RUN : step.getOnFailure();
  }

  private static StepError runErrorOf(String stepId, StepError error) {
    return error.toBuilder()
        .setMessage("step '" + stepId + "' failed: " + error.getMessage())
        .build();
  }

  private static StepError expressionError(String what, ExpressionException e) {
    return StepErrors.of("INVALID_ARGUMENT", "BAD_EXPRESSION", what + ": " + e.getMessage());
  }
}
