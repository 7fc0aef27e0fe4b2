package dev.meshwork.orchestrator;

import static java.util.Objects.requireNonNull;

import dev.meshwork.api.orchestrator.v1.ListRunsRequest;
import dev.meshwork.api.orchestrator.v1.Run;
import dev.meshwork.api.orchestrator.v1.StartRunRequest;
import dev.meshwork.api.orchestrator.v1.WorkflowSpec;
import dev.meshwork.core.MeshException;
import dev.meshwork.core.Violations;
import dev.meshwork.orchestrator.internal.RunRequests;
import dev.meshwork.orchestrator.internal.StoredWorkflows;
import dev.meshwork.orchestrator.internal.engine.EngineConfig;
import dev.meshwork.orchestrator.internal.engine.WorkflowEngine;
import dev.meshwork.orchestrator.internal.stream.RunEventHub;
import dev.meshwork.orchestrator.internal.workflow.WorkflowValidator;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.DoubleSupplier;

/**
 * The orchestrator's domain API: start, inspect, cancel and re-drive runs, store workflows, watch
 * events. The gRPC services only translate to and from it. Failures are {@link MeshException}s.
 *
 * <pre>{@code
 * Orchestrator orchestrator = Orchestrator.builder()
 *     .store(H2RunStore.openFile(dataDir.resolve("orchestrator")))
 *     .invoker(invoker)
 *     .skills(skillDirectory)
 *     .build()
 *     .start();                        // resumes unfinished runs
 * Orchestrator.Started started = orchestrator.startRun(request);
 * }</pre>
 */
public final class Orchestrator implements AutoCloseable {

  private final RunStore store;
  private final StoredWorkflows workflows;
  private final SkillDirectory skills;
  private final Clock clock;
  private final EngineConfig config;
  private final WorkflowEngine engine;
  private final RunEventHub hub;
  private final ExecutorService streamExecutor;

  private Orchestrator(Builder b) {
    this.store = b.store;
    this.workflows = new StoredWorkflows(store);
    this.skills = b.skills;
    this.clock = b.clock;
    this.config = b.config;
    AtomicInteger threads = new AtomicInteger();
    this.streamExecutor =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "meshwork-watch-" + threads.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    // Firehose positions are not stored, so a restart must not hand out old ones again: starting
    // from the wall clock in microseconds puts them above any earlier incarnation's unless it
    // published over a thousand events per millisecond on average, or the clock went back.
    this.hub =
        new RunEventHub(
            store,
            streamExecutor,
            b.watchBufferSize,
            b.watchHistorySize,
            Math.multiplyExact(System.currentTimeMillis(), 1000L));
    this.engine =
        WorkflowEngine.builder()
            .config(config)
            .store(store)
            .invoker(b.invoker)
            .clock(clock)
            .random(b.random)
            .listener(hub)
            .build();
  }

  /** A builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** Resumes every unfinished run in the store; call once before serving. */
  public Orchestrator start() {
    engine.recover();
    return this;
  }

  /**
   * A started (or, for a used idempotency key, existing) run.
   *
   * @param run the run as stored
   * @param existing true when the idempotency key matched an existing run
   */
  public record Started(Run run, boolean existing) {}

  /**
   * Validates and starts a run; it is stored with its first event before this returns.
   *
   * @throws MeshException {@code INVALID_ARGUMENT} with a field violation per problem, {@code
   *     NOT_FOUND} for an unknown stored workflow, {@code RESOURCE_EXHAUSTED} when saturated
   */
  public Started startRun(StartRunRequest request) {
    requireNonNull(request, "request");
    Violations v = new Violations();
    RunRequests.checkStart(request, v);
    if (request.getWorkflowSourceCase()
        == StartRunRequest.WorkflowSourceCase.WORKFLOWSOURCE_NOT_SET) {
      v.throwIfAny();
    }
    WorkflowSpec spec;
    if (request.hasWorkflow()) {
      spec = request.getWorkflow();
    } else {
      spec =
          workflows
              .get(request.getWorkflowName(), request.getWorkflowVersion())
              .orElseThrow(
                  () ->
                      MeshException.notFound(
                          "workflow",
                          request.getWorkflowName()
                              + (request.getWorkflowVersion() == 0
                                  ? ""
                                  : " version " + request.getWorkflowVersion())));
    }
    Duration budget = RunRequests.budgetOf(request, spec, config.defaultRunTimeout());
    WorkflowValidator.checkStructure(spec, "workflow.", budget, v);
    if (v.isEmpty()) {
      WorkflowValidator.checkSkills(spec, "workflow.", skills, v);
    }
    v.throwIfAny();
    Run run = RunRequests.newRun(request, spec, clock.instant(), budget);
    WorkflowEngine.Submitted submitted = engine.submit(run);
    return new Started(submitted.run(), submitted.existing());
  }

  /**
   * One run with its steps.
   *
   * @throws MeshException {@code NOT_FOUND}
   */
  public Run getRun(String runId) {
    RunRequests.checkRunId(runId);
    return store.get(runId).orElseThrow(() -> MeshException.notFound("run", runId));
  }

  /**
   * The firehose position of the latest published event (see {@link #watchRuns}). Read before
   * {@link #listRuns}, it is where a watch that follows the listing resumes without a gap.
   */
  public long firehosePosition() {
    return hub.lastPosition();
  }

  /** Runs matching the request's filter, newest first, without step inputs and outputs. */
  public Page<Run> listRuns(ListRunsRequest request) {
    RunFilter filter = RunRequests.filterOf(request);
    Page<Run> page =
        store.list(filter, RunRequests.pageSizeOf(request.getPageSize()), request.getPageToken());
    return new Page<>(
        page.items().stream().map(RunRequests::summaryOf).toList(), page.nextPageToken());
  }

  /** Cancels a run (in-flight calls are cancelled, then compensations run). */
  public Run cancelRun(String runId, String reason) {
    RunRequests.checkRunId(runId);
    return engine.cancel(runId, reason);
  }

  /** Re-drives a FAILED run from its failed steps. */
  public Run retryRun(String runId) {
    RunRequests.checkRunId(runId);
    return engine.retry(runId);
  }

  /**
   * Validates and stores a new version of a workflow (skills are checked when a run starts, not
   * here: agents may register later).
   */
  public WorkflowSpec putWorkflow(WorkflowSpec spec) {
    requireNonNull(spec, "spec");
    Violations v = new Violations();
    Duration budget =
        RunRequests.budgetOf(
            StartRunRequest.getDefaultInstance(), spec, config.defaultRunTimeout());
    WorkflowValidator.checkStructure(spec, "workflow.", budget, v);
    RunRequests.checkLabels(spec.getLabelsMap(), "workflow.labels", v);
    v.throwIfAny();
    return workflows.put(spec);
  }

  /** A stored workflow; version 0 is the latest. */
  public WorkflowSpec getWorkflow(String name, int version) {
    Violations v = new Violations();
    v.check(!name.isEmpty(), "name", "missing (expected: a workflow name)");
    v.check(version >= 0, "version", version + " (expected: >= 0, 0 for the latest)");
    v.throwIfAny();
    return workflows
        .get(name, version)
        .orElseThrow(
            () ->
                MeshException.notFound(
                    "workflow", name + (version == 0 ? "" : " version " + version)));
  }

  /** The latest version of every stored workflow, by name. */
  public Page<WorkflowSpec> listWorkflows(int pageSize, String pageToken) {
    Violations v = new Violations();
    RunRequests.checkPageSize(pageSize, v);
    v.throwIfAny();
    return store.listWorkflows(RunRequests.pageSizeOf(pageSize), pageToken);
  }

  /**
   * Streams one run's events after {@code afterSequence}, then its live events, until its terminal
   * event. The returned watch must be told when the stream becomes ready or is cancelled.
   */
  public Watch watchRun(String runId, long afterSequence, EventStream stream) {
    RunRequests.checkRunId(runId);
    return hub.watchRun(runId, afterSequence, stream);
  }

  /**
   * Streams the events of every run matching {@code filter} with their firehose positions: the held
   * ones after {@code afterPosition} (none for 0), then live ones. The returned watch must be told
   * when the stream becomes ready or is cancelled.
   *
   * @throws MeshException {@code OUT_OF_RANGE} (reason {@code POSITION_COMPACTED} or {@code
   *     POSITION_UNKNOWN}) when the orchestrator cannot replay after {@code afterPosition}
   */
  public Watch watchRuns(RunFilter filter, long afterPosition, EventStream stream) {
    return hub.watchRuns(filter, afterPosition, stream);
  }

  /** Runs not finished yet. */
  public int activeRuns() {
    return engine.activeRuns();
  }

  /** Agent calls queued or running. */
  public int pendingWork() {
    return engine.pendingWork();
  }

  /** Stops the engine and the watches; unfinished runs resume on the next start. */
  @Override
  public void close() {
    engine.close();
    streamExecutor.shutdownNow();
  }

  /** Builds an {@link Orchestrator}. */
  public static final class Builder {
    private RunStore store;
    private AgentInvoker invoker;
    private SkillDirectory skills = SkillDirectory.ANY;
    private Clock clock = Clock.systemUTC();
    private EngineConfig config = EngineConfig.builder().build();
    private DoubleSupplier random = Math::random;
    private int watchBufferSize = 1024;
    private int watchHistorySize = 10_000;

    private Builder() {}

    /** Where runs and workflows are stored (required). */
    public Builder store(RunStore store) {
      this.store = requireNonNull(store, "store");
      return this;
    }

    /** How agents are called (required). */
    public Builder invoker(AgentInvoker invoker) {
      this.invoker = requireNonNull(invoker, "invoker");
      return this;
    }

    /** Which skills exist, for MISSING_SKILL_POLICY_REJECT (default: every skill exists). */
    public Builder skills(SkillDirectory skills) {
      this.skills = requireNonNull(skills, "skills");
      return this;
    }

    /** The clock of deadlines and timestamps (default: the system clock). */
    public Builder clock(Clock clock) {
      this.clock = requireNonNull(clock, "clock");
      return this;
    }

    /** Engine limits and timings. */
    public Builder config(EngineConfig config) {
      this.config = requireNonNull(config, "config");
      return this;
    }

    /** Source of backoff jitter, uniform in [0, 1) (default: random). */
    public Builder random(DoubleSupplier random) {
      this.random = requireNonNull(random, "random");
      return this;
    }

    /** Events a watcher may lag behind before it is cut off (default 1024). */
    public Builder watchBufferSize(int size) {
      if (size < 1) {
        throw new IllegalArgumentException("watchBufferSize: " + size + " (expected: >= 1)");
      }
      this.watchBufferSize = size;
      return this;
    }

    /** Firehose events kept for watchers resuming after a position (default 10000). */
    public Builder watchHistorySize(int size) {
      if (size < 1) {
        throw new IllegalArgumentException("watchHistorySize: " + size + " (expected: >= 1)");
      }
      this.watchHistorySize = size;
      return this;
    }

    /**
     * The orchestrator, not started yet.
     *
     * @throws IllegalStateException when the store or invoker is missing
     */
    public Orchestrator build() {
      if (store == null) {
        throw new IllegalStateException("store: missing (expected: a RunStore)");
      }
      if (invoker == null) {
        throw new IllegalStateException("invoker: missing (expected: an AgentInvoker)");
      }
      return new Orchestrator(this);
    }
  }
}
