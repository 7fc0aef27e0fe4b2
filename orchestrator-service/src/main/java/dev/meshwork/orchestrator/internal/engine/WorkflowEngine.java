package dev.meshwork.orchestrator.internal.engine;

import static java.util.Objects.requireNonNull;

import dev.meshwork.api.orchestrator.v1.Run;
import dev.meshwork.api.orchestrator.v1.RunEvent;
import dev.meshwork.api.orchestrator.v1.RunEventType;
import dev.meshwork.api.orchestrator.v1.RunState;
import dev.meshwork.core.ErrorCode;
import dev.meshwork.core.MeshException;
import dev.meshwork.orchestrator.AgentInvoker;
import dev.meshwork.orchestrator.RunStore;
import dev.meshwork.orchestrator.internal.ProtoTime;
import io.opentelemetry.context.Scope;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.DoubleSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs workflows: admits new runs (or refuses them when saturated), resumes unfinished runs after a
 * restart, cancels and re-drives runs. Each active run is a {@link RunExecution}; they share a
 * bounded {@link Dispatcher} and the per-skill Failsafe policies.
 */
public final class WorkflowEngine implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(WorkflowEngine.class.getName());

  private final EngineContext ctx;
  private final ScheduledExecutorService scheduler;
  private final RunLogWriter writer;
  private final Map<String, RunExecution> runs = new ConcurrentHashMap<>();

  private WorkflowEngine(
      EngineConfig config,
      RunStore store,
      AgentInvoker invoker,
      Clock clock,
      DoubleSupplier random,
      RunListener listener) {
    AtomicInteger threads = new AtomicInteger();
    ScheduledThreadPoolExecutor pool =
        new ScheduledThreadPoolExecutor(
            config.workerThreads(),
            r -> {
              Thread t = new Thread(r, "meshwork-engine-" + threads.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    pool.setRemoveOnCancelPolicy(true);
    this.scheduler = pool;
    this.writer = new RunLogWriter(store, listener);
    SkillPolicies policies = new SkillPolicies(config);
    Dispatcher dispatcher = new Dispatcher(config.maxInFlight(), policies::bulkhead, pool);
    this.ctx =
        new EngineContext(
            config,
            store,
            writer,
            invoker,
            dispatcher,
            policies,
            clock,
            pool,
            random,
            new EngineMetrics(policies));
  }

  /** A builder. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Resumes every non-terminal run in the store; call once, before accepting requests.
   *
   * @return how many runs were resumed
   */
  public int recover() {
    List<Run> unfinished = ctx.store().nonTerminal();
    for (Run run : unfinished) {
      try {
        RunExecution execution =
            new RunExecution(
                ctx,
                run,
                completionOrder(run.getRunId()),
                RunTracing.resume(run, ctx.metrics()),
                this::finished);
        runs.put(run.getRunId(), execution);
        scheduler.execute(() -> startSafely(execution));
      } catch (RuntimeException e) {
        LOG.log(Level.SEVERE, "cannot resume run " + run.getRunId(), e);
      }
    }
    if (!unfinished.isEmpty()) {
      LOG.info("resuming " + unfinished.size() + " unfinished runs");
    }
    return unfinished.size();
  }

  /**
   * Admits a validated new run (state SUBMITTED, no events yet): stores it with its first event
   * before returning, and starts it. A run whose idempotency key is taken is not stored; the holder
   * of the key is returned instead.
   *
   * <p>A run without an idempotency key starts while it is being stored (its later events queue
   * behind its creation in the writer, so none is stored or seen before it): waiting for that
   * commit first took the largest gap of a short run. Such a run cannot lose a race for a key, so
   * only a store failure can refuse it, and then its own events fail too and it stops, its calls
   * cancelled, while StartRun answers with the error. A run with a key waits for the store to say
   * whether the key was free.
   *
   * @throws MeshException {@code RESOURCE_EXHAUSTED} with a retry delay when saturated
   */
  public Submitted submit(Run run) {
    requireNonNull(run, "run");
    if (!run.getIdempotencyKey().isEmpty()) {
      var existing = ctx.store().findByIdempotencyKey(run.getIdempotencyKey());
      if (existing.isPresent()) {
        return new Submitted(existing.get(), true);
      }
    }
    checkCapacity();
    // The run span starts here, under the StartRun call, so its trace id is stored with the run.
    RunTracing tracing = RunTracing.start(run, ctx.metrics());
    Run.Builder b =
        run.toBuilder()
            .setLastSequence(0)
            .setTraceId(tracing.traceId())
            .setRunSpanId(tracing.spanId());
    RunEvent submitted =
        RunEvent.newBuilder()
            .setRunId(run.getRunId())
            .setSequence(1)
            .setType(RunEventType.RUN_EVENT_TYPE_RUN_SUBMITTED)
            .setTime(run.getCreateTime())
            .setRunState(RunState.RUN_STATE_SUBMITTED)
            .setItemIndex(StepKey.WHOLE)
            .build();
    RunProjection.apply(b, submitted);
    Run admitted = b.build();
    CompletableFuture<RunStore.Created> creating =
        ctx.writer().create(admitted, List.of(submitted));
    if (admitted.getIdempotencyKey().isEmpty()) {
      startSafely(admit(admitted, tracing));
      awaitStored(creating); // on failure the run's own events fail after it: it stops
      return new Submitted(admitted, false);
    }
    RunStore.Created created;
    try {
      created = awaitStored(creating);
    } catch (RuntimeException e) {
      tracing.abandoned();
      throw e;
    }
    if (created.existing()) {
      tracing.abandoned();
      return new Submitted(created.run(), true);
    }
    RunExecution execution = admit(created.run(), tracing);
    scheduler.execute(() -> startSafely(execution));
    return new Submitted(created.run(), false);
  }

  private RunExecution admit(Run run, RunTracing tracing) {
    RunExecution execution = new RunExecution(ctx, run, List.of(), tracing, this::finished);
    runs.put(run.getRunId(), execution);
    return execution;
  }

  /**
   * The result of {@link #submit}.
   *
   * @param run the stored run
   * @param existing true when an earlier run held the idempotency key
   */
  public record Submitted(Run run, boolean existing) {}

  /**
   * Cancels a run; answers at once, compensations run afterwards. A finished run is returned
   * unchanged.
   *
   * @throws MeshException {@code NOT_FOUND} for an unknown run
   */
  public Run cancel(String runId, String reason) {
    RunExecution execution = runs.get(runId);
    if (execution != null) {
      return awaitStored(execution.cancel(reason));
    }
    return ctx.store().get(runId).orElseThrow(() -> MeshException.notFound("run", runId));
  }

  /**
   * Re-drives a failed run from its failed steps; completed steps are not repeated. The run gets a
   * fresh budget as long as its first one.
   *
   * @throws MeshException {@code NOT_FOUND}, or {@code FAILED_PRECONDITION} unless the run FAILED
   */
  public Run retry(String runId) {
    Run stored = ctx.store().get(runId).orElseThrow(() -> MeshException.notFound("run", runId));
    RunExecution current = runs.get(runId);
    if (current != null && stored.getState() == RunState.RUN_STATE_FAILED) {
      // Its RUN_FAILED is stored (we just read it), so its execution is about to let go of the
      // run: only the writer's acknowledgement is pending.
      awaitStored(current.written());
    }
    if (stored.getState() != RunState.RUN_STATE_FAILED
        || (current != null && !current.isFinished())) {
      throw MeshException.of(
          ErrorCode.FAILED_PRECONDITION,
          "RUN_NOT_FAILED",
          "run '"
              + runId
              + "' is "
              + stored.getState().name().replace("RUN_STATE_", "")
              + " (expected: FAILED)");
    }
    checkCapacity();
    Instant now = ctx.clock().instant();
    Duration budget =
        Duration.between(
            ProtoTime.toInstant(stored.getCreateTime()), ProtoTime.toInstant(stored.getDeadline()));
    List<String> completionOrder = completionOrder(runId);
    Run.Builder b = stored.toBuilder().setDeadline(ProtoTime.toTimestamp(now.plus(budget)));
    RunEvent retried =
        RunEvent.newBuilder()
            .setRunId(runId)
            .setSequence(stored.getLastSequence() + 1)
            .setType(RunEventType.RUN_EVENT_TYPE_RUN_RETRIED)
            .setTime(ProtoTime.toTimestamp(now))
            .setRunState(RunState.RUN_STATE_WORKING)
            .setItemIndex(StepKey.WHOLE)
            .setMessage("re-driven from its failed steps")
            .build();
    RunProjection.apply(b, retried);
    Run run = b.build();
    awaitStored(ctx.writer().append(run, List.of(retried)));
    RunExecution execution =
        new RunExecution(
            ctx, run, completionOrder, RunTracing.resume(run, ctx.metrics()), this::finished);
    runs.put(runId, execution);
    scheduler.execute(() -> startSafely(execution));
    return run;
  }

  /** Runs not finished yet. */
  public int activeRuns() {
    return runs.size();
  }

  /** Calls queued or running. */
  public int pendingWork() {
    return ctx.dispatcher().pending();
  }

  /**
   * Stops the workers, then stores the events they queued; unfinished runs stay in the store and
   * resume on the next start.
   */
  @Override
  public void close() {
    ctx.metrics().close();
    scheduler.shutdownNow();
    try {
      scheduler.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    writer.close();
  }

  /** Waits for a write of the run log; its failure is thrown as it came from the store. */
  private static <T> T awaitStored(CompletableFuture<T> write) {
    try {
      return write.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      throw e;
    }
  }

  private void checkCapacity() {
    int active = runs.size();
    int pending = ctx.dispatcher().pending();
    if (active >= ctx.config().maxActiveRuns() || pending >= ctx.config().maxPendingWork()) {
      throw MeshException.resourceExhausted(
          "ORCHESTRATOR_SATURATED",
          "the orchestrator is saturated ("
              + active
              + " active runs, "
              + pending
              + " queued or running calls); retry later",
          ctx.config().retryAfter());
    }
  }

  private List<String> completionOrder(String runId) {
    List<String> order = new ArrayList<>();
    long after = 0;
    while (true) {
      List<RunEvent> events = ctx.store().eventsAfter(runId, after, 1000);
      for (RunEvent e : events) {
        if (e.getType() == RunEventType.RUN_EVENT_TYPE_STEP_COMPLETED
            && e.getItemIndex() == StepKey.WHOLE) {
          order.remove(e.getStepId());
          order.add(e.getStepId());
        }
      }
      if (events.size() < 1000) {
        return order;
      }
      after = events.get(events.size() - 1).getSequence();
    }
  }

  @SuppressWarnings("try") // the scope is only opened and closed
  private void startSafely(RunExecution execution) {
    try (Scope ignored = execution.context().makeCurrent()) {
      execution.start();
    } catch (RuntimeException e) {
      LOG.log(Level.SEVERE, "cannot start run " + execution.runId(), e);
    }
  }

  private void finished(RunExecution execution) {
    // Conditional: a RetryRun may already have put the run's next execution in its place.
    runs.remove(execution.runId(), execution);
  }

  /** Builds a {@link WorkflowEngine}. */
  public static final class Builder {
    private EngineConfig config = EngineConfig.builder().build();
    private RunStore store;
    private AgentInvoker invoker;
    private Clock clock = Clock.systemUTC();
    private DoubleSupplier random = () -> ThreadLocalRandom.current().nextDouble();
    private RunListener listener = RunListener.NONE;

    private Builder() {}

    /** Limits and timings (default: {@link EngineConfig#builder()}'s defaults). */
    public Builder config(EngineConfig config) {
      this.config = requireNonNull(config, "config");
      return this;
    }

    /** Where runs are stored (required). */
    public Builder store(RunStore store) {
      this.store = requireNonNull(store, "store");
      return this;
    }

    /** How agents are called (required). */
    public Builder invoker(AgentInvoker invoker) {
      this.invoker = requireNonNull(invoker, "invoker");
      return this;
    }

    /** The clock of deadlines and timestamps (default: the system clock). */
    public Builder clock(Clock clock) {
      this.clock = requireNonNull(clock, "clock");
      return this;
    }

    /** Source of backoff jitter, uniform in [0, 1) (default: random). */
    public Builder random(DoubleSupplier random) {
      this.random = requireNonNull(random, "random");
      return this;
    }

    /** Told about every stored event batch (default: nobody). */
    public Builder listener(RunListener listener) {
      this.listener = requireNonNull(listener, "listener");
      return this;
    }

    /**
     * The engine; call {@link WorkflowEngine#recover()} before submitting.
     *
     * @throws IllegalStateException when the store or invoker is missing
     */
    public WorkflowEngine build() {
      if (store == null) {
        throw new IllegalStateException("store: missing (expected: a RunStore)");
      }
      if (invoker == null) {
        throw new IllegalStateException("invoker: missing (expected: an AgentInvoker)");
      }
      return new WorkflowEngine(config, store, invoker, clock, random, listener);
    }
  }
}
