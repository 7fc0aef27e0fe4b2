package dev.meshwork.bench;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Struct;
import dev.meshwork.api.agent.v1.AgentServiceGrpc;
import dev.meshwork.api.agent.v1.InvokeRequest;
import dev.meshwork.api.common.v1.Part;
import dev.meshwork.api.orchestrator.v1.StartRunRequest;
import dev.meshwork.api.orchestrator.v1.WorkflowSpec;
import io.grpc.ManagedChannel;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The orchestrator under load with the durable H2 store as shipped: three-step pipeline workflows
 * per second and 1->10 fan-out workflows per second (closed loop, N concurrent clients each {@code
 * StartRun} then {@code WatchRun} until terminal), and the orchestrator's added latency per step:
 * one run at a time, (run duration / 3) minus a direct {@code AgentService.Invoke} of the same
 * agent over the same kind of mTLS channel, measured in the same run.
 */
final class OrchestratorBench {

  /** What to run. */
  record Options(
      Path registryJar,
      Path orchestratorJar,
      int clients,
      Duration duration,
      Duration warmup,
      List<String> jvmOptions,
      boolean tracing,
      Path dataParent,
      Duration settleJitMax) {

    Options {
      requireNonNull(registryJar, "registryJar");
      requireNonNull(orchestratorJar, "orchestratorJar");
      requireNonNull(dataParent, "dataParent");
      requireNonNull(duration, "duration");
      requireNonNull(warmup, "warmup");
      requireNonNull(settleJitMax, "settleJitMax");
      jvmOptions = List.copyOf(jvmOptions);
    }

    static Options from(BenchArgs args) {
      Duration duration = args.duration(Duration.ofSeconds(20));
      return new Options(
          args.registryJar(),
          args.orchestratorJar(),
          args.settings().integer("clients", 64, 1, 10_000),
          duration,
          args.warmup(Duration.ofSeconds(5)),
          args.jvmOptions("-Xmx512m"),
          args.tracing(),
          args.storeDir(),
          args.settleJitMax());
    }
  }

  static final double GOAL_PIPELINES_PER_SECOND = 500;
  static final double GOAL_ADDED_P50_MILLIS = 1.0;
  static final int PIPELINE_STEPS = 3;
  static final int FAN_OUT = 10;

  static final String PIPELINE =
      """
      {"name": "bench-pipeline", "timeout": "60s", "steps": [
        {"id": "a", "skill": "bench.noop", "input": {"text": "{{ input.text }}"}},
        {"id": "b", "skill": "bench.noop", "dependsOn": ["a"]},
        {"id": "c", "skill": "bench.noop", "dependsOn": ["b"]}]}
      """;
  static final String FAN_OUT_WORKFLOW =
      """
      {"name": "bench-fanout", "timeout": "60s", "steps": [
        {"id": "each", "skill": "bench.noop", "forEach": "input.items", "maxConcurrency": 10,
         "input": {"item": "{{ item }}"}}]}
      """;
  static final String INPUT =
      """
      {"text": "hello", "items": [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]}
      """;

  private final Options options;
  private final PrintStream out;
  private final List<JitSettling.Outcome> warmUps = new ArrayList<>();

  OrchestratorBench(Options options, PrintStream out) {
    this.options = requireNonNull(options, "options");
    this.out = requireNonNull(out, "out");
  }

  /** Runs the scenario and prints the report; returns true when every goal is met. */
  boolean run() throws Exception {
    BenchMesh.Options meshOptions =
        new BenchMesh.Options(
            "orchestrator",
            options.registryJar(),
            options.orchestratorJar(),
            options.jvmOptions(),
            options.tracing(),
            options.dataParent(),
            List.of(),
            Map.of());
    try (BenchMesh mesh = BenchMesh.start(meshOptions, out)) {
      return measure(mesh);
    }
  }

  private boolean measure(BenchMesh mesh) throws Exception {
    ManagedChannel orchestratorChannel = mesh.orchestratorChannel();
    WorkflowSpec pipeline = mesh.putWorkflow(PIPELINE);
    WorkflowSpec fanOut = mesh.putWorkflow(FAN_OUT_WORKFLOW);
    Struct input = BenchMesh.struct(INPUT);
    StartRunRequest pipelineRun =
        StartRunRequest.newBuilder().setWorkflowName(pipeline.getName()).setInput(input).build();
    StartRunRequest fanOutRun =
        StartRunRequest.newBuilder().setWorkflowName(fanOut.getName()).setInput(input).build();
    RunDriver driver = new RunDriver(orchestratorChannel);
    mesh.awaitFirstRun(pipelineRun);

    progress(
        "throughput: %d clients, pipelines, %ds",
        options.clients(), options.duration().toSeconds());
    MeasuredPhase pipelines = phase(mesh.orchestrator(), driver, pipelineRun);
    progress(
        "throughput: %d clients, 1->%d fan-outs, %ds",
        options.clients(), FAN_OUT, options.duration().toSeconds());
    MeasuredPhase fanOuts = phase(mesh.orchestrator(), driver, fanOutRun);

    // Latency after throughput: by now the JIT has compiled every path a run takes, in the
    // orchestrator as in the agent, as it has for the direct baseline after its own warm-up.
    Duration half = Duration.ofSeconds(Math.max(1, options.duration().toSeconds() / 2));
    progress("latency: one pipeline at a time for %ds", half.toSeconds());
    Timeline timeline = new Timeline();
    ClosedLoop.Result sequential =
        new ClosedLoop(1, Duration.ofSeconds(2), half)
            .run(new RunDriver(orchestratorChannel, timeline), () -> pipelineRun);
    progress("baseline: one direct Invoke at a time for %ds", half.toSeconds());
    Latencies direct = directInvokes(mesh.agentChannel(), half);
    return report(sequential, direct, pipelines, fanOuts, timeline);
  }

  private MeasuredPhase phase(JavaProcess orchestrator, RunDriver driver, StartRunRequest request)
      throws Exception {
    if (!options.settleJitMax().isZero()) {
      JitSettling.Outcome warmed =
          JitSettling.upTo(options.settleJitMax())
              .warm(
                  "orchestrator",
                  orchestrator.pid(),
                  options.clients(),
                  driver,
                  () -> request,
                  out);
      warmUps.add(warmed);
    }
    ClosedLoop loop = new ClosedLoop(options.clients(), options.warmup(), options.duration());
    return MeasuredPhase.run(orchestrator.pid(), loop, driver, () -> request);
  }

  private Latencies directInvokes(ManagedChannel agentChannel, Duration length) {
    AgentServiceGrpc.AgentServiceBlockingStub stub = AgentServiceGrpc.newBlockingStub(agentChannel);
    InvokeRequest request =
        InvokeRequest.newBuilder()
            .setSkillId(BenchAgent.SKILL)
            .addInput(Part.newBuilder().setText("hello"))
            .build();
    long warmEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    while (System.nanoTime() < warmEnd) {
      stub.withDeadlineAfter(5, TimeUnit.SECONDS).invoke(request);
    }
    Latencies latencies = new Latencies();
    long end = System.nanoTime() + length.toNanos();
    while (System.nanoTime() < end) {
      long t0 = System.nanoTime();
      stub.withDeadlineAfter(5, TimeUnit.SECONDS).invoke(request);
      latencies.add(System.nanoTime() - t0);
    }
    return latencies;
  }

  private boolean report(
      ClosedLoop.Result sequential,
      Latencies direct,
      MeasuredPhase pipelines,
      MeasuredPhase fanOuts,
      Timeline timeline) {
    Latencies perStep = perStep(sequential.client());
    Latencies perStepServer = perStep(sequential.server());
    double addedP50 = perStep.percentileMillis(50) - direct.percentileMillis(50);
    double addedP99 = perStep.percentileMillis(99) - direct.percentileMillis(99);
    double rate = pipelines.result().perSecond();
    boolean ok =
        rate >= GOAL_PIPELINES_PER_SECOND
            && addedP50 <= GOAL_ADDED_P50_MILLIS
            && pipelines.result().failed() == 0
            && fanOuts.result().failed() == 0;
    out.println();
    out.println("## Orchestrator benchmark");
    out.println();
    out.printf(
        Locale.ROOT,
        "registry + orchestrator (durable H2 store as shipped, under %s; JVM options `%s`; tracing"
            + " %s) +"
            + " in-bench agent `bench.noop` (in the benchmark's JVM); %d closed-loop clients"
            + " (StartRun, then WatchRun until terminal), %ds measured after %ds warm-up; load"
            + " average before: %s%n",
        options.dataParent(),
        String.join(" ", options.jvmOptions()),
        options.tracing() ? "on" : "off",
        options.clients(),
        options.duration().toSeconds(),
        options.warmup().toSeconds(),
        LoadAverage.read());
    out.println();
    out.println("### Throughput");
    out.println();
    out.println(
        "| workflow | completed/s | run p50 | run p99 | failed | rejected (429) |"
            + " orchestrator CPU | CPU per run | orchestrator RSS | goal |");
    out.println("|---|---|---|---|---|---|---|---|---|---|");
    throughputRow("3-step pipeline", pipelines, ">= 500/s");
    throughputRow("1->10 fan-out", fanOuts, "-");
    out.println();
    for (JitSettling.Outcome warmed : warmUps) {
      out.println("Before a phase: " + warmed.describe("load", "the orchestrator's JIT"));
    }
    out.println();
    out.println("### Added latency per step (one run at a time)");
    out.println();
    out.println("| measure | p50 | p99 | ratio p50 / baseline p50 | goal |");
    out.println("|---|---|---|---|---|");
    latencyRow("direct AgentService.Invoke, mTLS (baseline)", direct, direct, "-");
    latencyRow("pipeline run / 3, client clock (StartRun -> terminal event)", perStep, direct, "-");
    latencyRow(
        "pipeline run / 3, orchestrator clock (create -> terminal)", perStepServer, direct, "-");
    out.printf(
        Locale.ROOT,
        "| **added per step** (client clock minus baseline) | **%.2f ms** |"
            + " **%.2f ms** | | p50 <= 1 ms |%n",
        addedP50,
        addedP99);
    out.println();
    out.printf(
        Locale.ROOT,
        "samples: %,d sequential pipelines, %,d direct invokes; orchestrator peak RSS %.0f MiB%n",
        sequential.client().count(),
        direct.count(),
        fanOuts.stats().peakRssKib() / 1024.0);
    out.println();
    out.println(
        "### Where a sequential pipeline's time goes (gaps between its events, orchestrator"
            + " clock, warm-up included)");
    out.println();
    out.println("| transition | p50 | p99 |");
    out.println("|---|---|---|");
    out.print(timeline.rows());
    out.println();
    out.println(ok ? "result: every goal met" : "result: GOAL MISSED");
    return ok;
  }

  private void throughputRow(String name, MeasuredPhase phase, String goal) {
    ClosedLoop.Result r = phase.result();
    out.printf(
        Locale.ROOT,
        "| %s | %.0f | %.1f ms | %.1f ms | %d | %d | %.0f%% | %.2f ms | %.0f MiB | %s |%n",
        name,
        r.perSecond(),
        r.client().percentileMillis(50),
        r.client().percentileMillis(99),
        r.failed(),
        r.rejected(),
        phase.cpuPercent(),
        phase.cpuMillisPerRun(),
        phase.stats().rssKib() / 1024.0,
        goal);
  }

  private void latencyRow(String name, Latencies l, Latencies baseline, String goal) {
    out.printf(
        Locale.ROOT,
        "| %s | %.2f ms | %.2f ms | %.1fx | %s |%n",
        name,
        l.percentileMillis(50),
        l.percentileMillis(99),
        l.percentileMillis(50) / baseline.percentileMillis(50),
        goal);
  }

  /** Each run's duration divided by the pipeline's steps. */
  static Latencies perStep(Latencies runs) {
    Latencies perStep = new Latencies();
    for (long nanos : runs.samples()) {
      perStep.add(nanos / PIPELINE_STEPS);
    }
    return perStep;
  }

  private void progress(String format, Object... args) {
    out.printf(Locale.ROOT, "bench: " + format + "%n", args);
  }
}
