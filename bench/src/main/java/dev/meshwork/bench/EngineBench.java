package dev.meshwork.bench;

import static java.util.Objects.requireNonNull;

import dev.meshwork.api.orchestrator.v1.StartRunRequest;
import dev.meshwork.orchestrator.AgentResult;
import dev.meshwork.orchestrator.Orchestrator;
import dev.meshwork.orchestrator.internal.store.H2RunStore;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.stream.Stream;

/**
 * The orchestrator's own cost, without network, TLS or agent work: an {@link Orchestrator} in this
 * JVM with the durable H2 file store as shipped, and an agent that answers at once (on another
 * thread, as a response arrives on a transport thread). Workflows/s here is what the engine and its
 * store can do on this machine; a sequential pipeline's time per step is what the engine adds to
 * every step whatever the agents and the network cost. The {@code orchestrator} scenario measures
 * the same end to end, with real processes.
 */
final class EngineBench {

  /**
   * What to run.
   *
   * @param clients concurrent runs in the throughput phases
   * @param duration each throughput phase (the latency phase takes half of it)
   * @param warmup before each throughput phase
   * @param dataParent where the store's directory is made (and removed)
   */
  record Options(
      int clients, Duration duration, Duration warmup, Path dataParent, Duration settleJitMax) {

    Options {
      requireNonNull(duration, "duration");
      requireNonNull(warmup, "warmup");
      requireNonNull(dataParent, "dataParent");
      requireNonNull(settleJitMax, "settleJitMax");
    }

    static Options from(BenchArgs args) {
      return new Options(
          args.settings().integer("clients", 32, 1, 10_000),
          args.duration(Duration.ofSeconds(20)),
          args.warmup(Duration.ofSeconds(5)),
          args.storeDir(),
          args.settleJitMax());
    }
  }

  private final Options options;
  private final PrintStream out;

  EngineBench(Options options, PrintStream out) {
    this.options = requireNonNull(options, "options");
    this.out = requireNonNull(out, "out");
  }

  /** Runs the scenario and prints the report; returns true when every goal is met. */
  boolean run() throws Exception {
    Path dir = Files.createTempDirectory(options.dataParent(), "meshwork-engine-bench-");
    ExecutorService agent = Executors.newFixedThreadPool(2, daemon("bench-agent"));
    ExecutorService starters = Executors.newCachedThreadPool(daemon("bench-client"));
    try (H2RunStore store = H2RunStore.openFile(dir);
        Orchestrator orchestrator =
            Orchestrator.builder()
                .store(store)
                .invoker(
                    call ->
                        CompletableFuture.supplyAsync(() -> AgentResult.of(call.input()), agent))
                .build()
                .start()) {
      return measure(new InProcessRuns(orchestrator, starters));
    } finally {
      starters.shutdownNow();
      agent.shutdownNow();
      deleteTree(dir);
    }
  }

  private boolean measure(RunSource runs) throws Exception {
    StartRunRequest pipeline = request(OrchestratorBench.PIPELINE);
    StartRunRequest fanOut = request(OrchestratorBench.FAN_OUT_WORKFLOW);
    ClosedLoop loop = new ClosedLoop(options.clients(), options.warmup(), options.duration());
    progress("throughput: %d clients, pipelines, %ds", options.clients(), seconds());
    long pid = ProcessHandle.current().pid();
    settleJit(pid, runs, pipeline);
    MeasuredPhase pipelines = MeasuredPhase.run(pid, loop, runs, () -> pipeline);
    progress(
        "throughput: %d clients, 1->%d fan-outs, %ds", options.clients(), fanOutSize(), seconds());
    settleJit(pid, runs, fanOut);
    MeasuredPhase fanOuts = MeasuredPhase.run(pid, loop, runs, () -> fanOut);
    Duration half = Duration.ofSeconds(Math.max(1, seconds() / 2));
    progress("latency: one pipeline at a time for %ds", half.toSeconds());
    ClosedLoop oneAtATime = new ClosedLoop(1, Duration.ofSeconds(2), half);
    MeasuredPhase sequential = MeasuredPhase.run(pid, oneAtATime, runs, () -> pipeline);
    return report(pipelines, fanOuts, sequential);
  }

  private void settleJit(long pid, RunSource runs, StartRunRequest request) throws Exception {
    if (!options.settleJitMax().isZero()) {
      JitSettling.upTo(options.settleJitMax())
          .warm("benchmark JVM", pid, options.clients(), runs, () -> request, out);
    }
  }

  private boolean report(MeasuredPhase pipelines, MeasuredPhase fanOuts, MeasuredPhase sequential) {
    Latencies perStep = OrchestratorBench.perStep(sequential.result().client());
    double rate = pipelines.result().perSecond();
    boolean ok =
        rate >= OrchestratorBench.GOAL_PIPELINES_PER_SECOND
            && perStep.percentileMillis(50) <= OrchestratorBench.GOAL_ADDED_P50_MILLIS
            && pipelines.result().failed() == 0
            && fanOuts.result().failed() == 0
            && sequential.result().failed() == 0;
    out.println();
    out.println("## Engine benchmark (in-process orchestrator, instant agent)");
    out.println();
    out.printf(
        Locale.ROOT,
        "Orchestrator in the benchmark's JVM (durable H2 file store under %s, as shipped; tracing"
            + " off), agent answering at once on another thread: no network, no TLS, no agent"
            + " work. %d closed-loop clients (startRun, then watchRun until terminal), %ds"
            + " measured after %ds warm-up; CPU per run is this whole JVM's (engine, store, agent"
            + " and clients) over the phase; load average before: %s%n",
        options.dataParent(),
        options.clients(),
        seconds(),
        options.warmup().toSeconds(),
        LoadAverage.read());
    out.println();
    out.println(
        "| measure | rate | p50 | p99 | failed | rejected | CPU per run | goal (end to end) |");
    out.println("|---|---|---|---|---|---|---|---|");
    row("3-step pipelines", pipelines, pipelines.result().client(), ">= 500/s");
    row("1->" + fanOutSize() + " fan-outs", fanOuts, fanOuts.result().client(), "-");
    row("one pipeline at a time, run / 3 (**per step**)", sequential, perStep, "p50 <= 1 ms");
    out.println();
    out.println(ok ? "result: every goal met" : "result: GOAL MISSED");
    return ok;
  }

  private void row(String name, MeasuredPhase phase, Latencies latencies, String goal) {
    ClosedLoop.Result r = phase.result();
    out.printf(
        Locale.ROOT,
        "| %s | %.0f/s | %.2f ms | %.2f ms | %d | %d | %.2f ms | %s |%n",
        name,
        r.perSecond(),
        latencies.percentileMillis(50),
        latencies.percentileMillis(99),
        r.failed(),
        r.rejected(),
        phase.cpuMillisPerRun(),
        goal);
  }

  private static StartRunRequest request(String workflowJson) throws IOException {
    return StartRunRequest.newBuilder()
        .setWorkflow(BenchMesh.workflow(workflowJson))
        .setInput(BenchMesh.struct(OrchestratorBench.INPUT))
        .build();
  }

  private static int fanOutSize() {
    return OrchestratorBench.FAN_OUT;
  }

  private long seconds() {
    return options.duration().toSeconds();
  }

  private void progress(String format, Object... args) {
    out.printf(Locale.ROOT, "bench: " + format + "%n", args);
  }

  private static ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(EngineBench::delete);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void delete(Path path) {
    try {
      Files.deleteIfExists(path);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
