package dev.meshwork.bench;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.util.JsonFormat;
import dev.meshwork.api.orchestrator.v1.GetRunRequest;
import dev.meshwork.api.orchestrator.v1.OrchestratorServiceGrpc;
import dev.meshwork.api.orchestrator.v1.RunState;
import dev.meshwork.api.orchestrator.v1.StartRunRequest;
import dev.meshwork.api.orchestrator.v1.WorkflowSpec;
import dev.meshwork.core.ConfigException;
import io.grpc.Channel;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * What the HTTP gateway adds: the same one-step workflow run to completion over gRPC straight to
 * the orchestrator (mTLS; StartRun, then WatchRun until the terminal event) and over HTTPS through
 * the gateway ({@code POST /v1/runs}, then {@code GET /v1/runs/{id}/events} until the terminal
 * event), at the same open-loop rate; and GetRun both ways ({@code GET /v1/runs/{id}}) at a higher
 * rate, the gateway's cost per request where the orchestrator is not the bottleneck. Real
 * processes: registry, orchestrator and gateway jars, the in-bench agent.
 */
final class GatewayBench {

  /** What to run. */
  record Options(
      Path registryJar,
      Path orchestratorJar,
      Path gatewayJar,
      int rate,
      int readRate,
      Duration duration,
      Duration warmup,
      Duration settleJitMax,
      HttpClient.Version httpVersion,
      HttpClientChoice httpClient,
      List<String> jvmOptions,
      boolean tracing,
      Path dataParent) {

    Options {
      requireNonNull(registryJar, "registryJar");
      requireNonNull(orchestratorJar, "orchestratorJar");
      requireNonNull(gatewayJar, "gatewayJar");
      requireNonNull(duration, "duration");
      requireNonNull(warmup, "warmup");
      requireNonNull(settleJitMax, "settleJitMax");
      requireNonNull(httpVersion, "httpVersion");
      requireNonNull(httpClient, "httpClient");
      requireNonNull(dataParent, "dataParent");
      jvmOptions = List.copyOf(jvmOptions);
    }

    static Options from(BenchArgs args) {
      return new Options(
          args.registryJar(),
          args.orchestratorJar(),
          args.jar("gateway-jar", "gateway/target/meshwork-gateway.jar"),
          args.settings().integer("rate", DEFAULT_RUN_RATE, 1, 50_000),
          args.settings().integer("read-rate", 1_000, 1, 50_000),
          args.duration(Duration.ofSeconds(20)),
          args.warmup(DEFAULT_WARMUP),
          args.settleJitMax(),
          httpVersion(args.settings().string("http-version", "2")),
          HttpClientChoice.parse(args.settings().string("http-client", "armeria")),
          args.jvmOptions("-Xmx512m"),
          args.tracing(),
          args.storeDir());
    }

    private static HttpClient.Version httpVersion(String text) {
      return switch (text) {
        case "2" -> HttpClient.Version.HTTP_2;
        case "1.1" -> HttpClient.Version.HTTP_1_1;
        default -> throw new ConfigException("--http-version: '" + text + "' (expected: 2 or 1.1)");
      };
    }
  }

  /** The HTTP clients the scenario can measure with ({@code --http-client}). */
  enum HttpClientChoice {
    ARMERIA("Armeria's `WebClient` (Netty)"),
    JDK("`java.net.http.HttpClient` (one connection per client)");

    private final String description;

    HttpClientChoice(String description) {
      this.description = description;
    }

    static HttpClientChoice parse(String text) {
      return switch (text) {
        case "armeria" -> ARMERIA;
        case "jdk" -> JDK;
        default ->
            throw new ConfigException("--http-client: '" + text + "' (expected: armeria or jdk)");
      };
    }
  }

  /**
   * Runs per second the orchestrator sustains here with latencies that are not queueing: a one-step
   * workflow costs it a few store commits, and the 2-core machine shares them with the gateway, the
   * agent and the load generator. The 1,000 requests/s is made up with GetRun calls
   * alongside (the read rate less this).
   */
  static final int DEFAULT_RUN_RATE = 50;

  /**
   * Warm-up per case, after the JIT of the gateway and the orchestrator settled under load (see
   * {@link JitSettling}): the gateway starts cold (Armeria, Netty, grpc-java and protobuf: some
   * 18,000 methods compiled), and on 2 cores its JIT compiler is still at work minutes after it
   * started. With fixed warm-ups alone, 30 s per case left the JIT threads 40% of the gateway's CPU
   * during GetRun's measured slices (doubling its p50) and 90 s, 8%; the report shows that share
   * for every row.
   */
  static final Duration DEFAULT_WARMUP = Duration.ofSeconds(20);

  static final double GOAL_ADDED_P50_MILLIS = 1.0;
  static final double GOAL_ADDED_P99_MILLIS = 5.0;
  private static final int ROUNDS = 5;

  /** The gateway's index in the processes {@link #measure} reads. */
  private static final int GATEWAY = 1;

  private static final String WORKFLOW =
      """
      {"name": "bench-one-step", "timeout": "60s", "steps": [
        {"id": "a", "skill": "bench.noop", "input": {"text": "{{ input.text }}"}}]}
      """;
  private static final String INPUT = "{\"text\": \"hello\"}";
  private static final Set<RunState> TERMINAL_STATES =
      Set.of(
          RunState.RUN_STATE_COMPLETED,
          RunState.RUN_STATE_FAILED,
          RunState.RUN_STATE_CANCELED,
          RunState.RUN_STATE_REJECTED);

  private final Options options;
  private final PrintStream out;
  private Optional<JitSettling.Outcome> settled = Optional.empty();

  GatewayBench(Options options, PrintStream out) {
    this.options = requireNonNull(options, "options");
    this.out = requireNonNull(out, "out");
  }

  /** Runs the scenario and prints the report; returns true when every goal is met. */
  boolean run() throws Exception {
    String loadBefore = LoadAverage.read();
    BenchMesh.Options meshOptions =
        new BenchMesh.Options(
            "gateway",
            options.registryJar(),
            options.orchestratorJar(),
            options.jvmOptions(),
            options.tracing(),
            options.dataParent(),
            List.of("gateway/gateway"),
            Map.of());
    try (BenchMesh mesh = BenchMesh.start(meshOptions, out)) {
      WorkflowSpec workflow = mesh.putWorkflow(WORKFLOW);
      StartRunRequest start =
          StartRunRequest.newBuilder()
              .setWorkflowName(workflow.getName())
              .setInput(BenchMesh.struct(INPUT))
              .build();
      mesh.awaitFirstRun(start);
      String apiKey = newApiKey();
      Path keys = mesh.dir().resolve("gateway-keys.yaml");
      Files.writeString(keys, keyFile(apiKey), StandardCharsets.UTF_8);
      int port = JavaProcess.freePort();
      progress("gateway on %d (HTTP/%s)", port, versionName());
      JavaProcess gateway =
          mesh.startProcess(
              "gateway",
              options.gatewayJar(),
              options.jvmOptions(),
              List.of(
                  "--host",
                  "127.0.0.1",
                  "--port",
                  String.valueOf(port),
                  "--orchestrator",
                  mesh.orchestratorTarget(),
                  "--registry",
                  mesh.registryTarget(),
                  "--api-keys-file",
                  keys.toString(),
                  "--grace-period",
                  "1s"));
      Path ca = mesh.pki().tls("client/bench").ca();
      URI base = URI.create("https://127.0.0.1:" + port);
      Health.awaitHttpOk(
          JdkHttpTransport.httpClient(ca, options.httpVersion()),
          base.resolve("/healthz"),
          gateway);
      // Load alongside the measured runs goes through a client of its own, as it would come from
      // other clients: on the measured one, 950 GETs/s queue the runs' requests and events behind
      // them in the client library (java.net.http reads a connection on one thread).
      try (HttpTransport measured = transport(base, ca);
          HttpTransport alongside = transport(base, ca)) {
        return runCases(
            mesh,
            gateway,
            loadBefore,
            new GatewayClient(measured, apiKey),
            new GatewayClient(alongside, apiKey),
            start);
      }
    }
  }

  /** The HTTP client the options name, to the gateway at {@code base}. */
  private HttpTransport transport(URI base, Path ca) throws Exception {
    if (options.httpClient() == HttpClientChoice.JDK) {
      return new JdkHttpTransport(JdkHttpTransport.httpClient(ca, options.httpVersion()), base);
    }
    String scheme = options.httpVersion() == HttpClient.Version.HTTP_2 ? "h2" : "h1";
    return ArmeriaHttpTransport.create(
        URI.create(scheme + "://" + base.getHost() + ":" + base.getPort()), ca);
  }

  /**
   * Checks both gateway paths, settles the JIT, measures both tables and reports them; true when
   * every goal was met.
   */
  private boolean runCases(
      BenchMesh mesh,
      JavaProcess gateway,
      String loadBefore,
      GatewayClient client,
      GatewayClient background,
      StartRunRequest start)
      throws Exception {
    String startJson = JsonFormat.printer().omittingInsignificantWhitespace().print(start);
    awaitGatewayRun(client::run, startJson);
    awaitGatewayRun(client::runStream, startJson);

    String runId = completedRun(mesh, start);
    settleJit(mesh, gateway, client, background, startJson, runId);
    progress("GetRun, direct and through the gateway, at %d/s", options.readRate());
    Table reads = readTable(mesh, gateway, client, runId);
    progress(
        "StartRun to completion, direct and through the gateway, at %d/s with GetRun at %d/s"
            + " alongside",
        options.rate(), backgroundRate());
    Table runs = runTable(mesh, gateway, client, background, start, startJson, runId);
    return report(loadBefore, runs, reads, gateway.stats());
  }

  /**
   * Runs through the gateway, with GetRun alongside, until the JIT of both the gateway and the
   * orchestrator settled: every path the cases take, direct ones included (the same RPCs).
   */
  private void settleJit(
      BenchMesh mesh,
      JavaProcess gateway,
      GatewayClient client,
      GatewayClient background,
      String startJson,
      String runId)
      throws Exception {
    if (options.settleJitMax().isZero()) {
      return;
    }
    progress(
        "warming the gateway and the orchestrator until their JIT settles (at most %ds)",
        options.settleJitMax().toSeconds());
    Tally tally = new Tally();
    AtomicLong sent = new AtomicLong();
    // Both ways through the gateway in turn: one request (POST /v1/runs:stream) and two.
    InterleavedLoad.Case runs =
        new InterleavedLoad.Case(
            "runs via gateway",
            done -> {
              Consumer<RunDriver.Outcome> finished = tally.finisher(done);
              if (sent.getAndIncrement() % 2 == 0) {
                client.runStream(startJson, finished);
              } else {
                client.run(startJson, finished);
              }
            },
            backgroundReads(done -> background.getRun(runId, done)));
    InterleavedLoad load =
        new InterleavedLoad(options.rate(), Duration.ZERO, options.duration(), ROUNDS);
    settled =
        Optional.of(
            JitSettling.upTo(options.settleJitMax())
                .warm(
                    Map.of("gateway", gateway.pid(), "orchestrator", mesh.orchestrator().pid()),
                    length -> load.load(runs, length),
                    out));
  }

  private Table runTable(
      BenchMesh mesh,
      JavaProcess gateway,
      GatewayClient client,
      GatewayClient background,
      StartRunRequest start,
      String startJson,
      String runId)
      throws Exception {
    RunDriver driver = new RunDriver(mesh.orchestratorChannel());
    Optional<InterleavedLoad.Background> directReads =
        backgroundReads(directGetRun(mesh.newOrchestratorChannel(), runId));
    Optional<InterleavedLoad.Background> gatewayReads =
        backgroundReads(done -> background.getRun(runId, done));
    return measure(
        mesh,
        gateway,
        options.rate(),
        List.of(
            Caller.runs(
                "gRPC StartAndWatchRun, mTLS, direct (baseline)",
                0,
                outcome -> driver.startAndWatch(start, outcome),
                directReads),
            Caller.runs(
                "HTTPS POST /v1/runs:stream (SSE), via gateway",
                1,
                outcome -> client.runStream(startJson, outcome),
                gatewayReads),
            // The two-request way on both paths (start, then watch): what a client that starts
            // runs and follows them apart pays.
            Caller.runs(
                "gRPC StartRun + WatchRun, direct",
                0,
                outcome -> driver.run(start, outcome),
                directReads),
            Caller.runs(
                "HTTPS POST /v1/runs + SSE /v1/runs/{id}/events, via gateway",
                2,
                outcome -> client.run(startJson, outcome),
                gatewayReads)));
  }

  /**
   * GetRun calls at the read rate less the run rate, to run alongside the run cases so that the
   * gateway (or, for the direct rows, the orchestrator) serves the read rate in all while the runs
   * are measured; none when the run rate is not below the read rate.
   */
  private Optional<InterleavedLoad.Background> backgroundReads(Consumer<OpenLoop.Done> getRun) {
    int rate = backgroundRate();
    return rate == 0 ? Optional.empty() : Optional.of(new InterleavedLoad.Background(rate, getRun));
  }

  /** GetRun calls per second alongside the runs: the read rate less the run rate, if positive. */
  private int backgroundRate() {
    return Math.max(0, options.readRate() - options.rate());
  }

  private static Consumer<OpenLoop.Done> directGetRun(Channel channel, String runId) {
    OrchestratorServiceGrpc.OrchestratorServiceStub stub = OrchestratorServiceGrpc.newStub(channel);
    GetRunRequest request = GetRunRequest.newBuilder().setRunId(runId).build();
    return done ->
        stub.withDeadlineAfter(60, TimeUnit.SECONDS).getRun(request, OpenLoop.observer(done));
  }

  private Table readTable(BenchMesh mesh, JavaProcess gateway, GatewayClient client, String runId)
      throws Exception {
    return measure(
        mesh,
        gateway,
        options.readRate(),
        List.of(
            new Caller(
                "gRPC GetRun, mTLS, direct (baseline)",
                directGetRun(mesh.orchestratorChannel(), runId),
                0),
            new Caller(
                "HTTPS GET /v1/runs/{id}, via gateway", done -> client.getRun(runId, done), 1),
            new Caller(
                "HTTPS GET /healthz, via gateway (no upstream call: the HTTP floor)",
                done -> client.get("/healthz", done),
                1)));
  }

  /**
   * Measures the paths interleaved (the first is the baseline, the second the one the goals are
   * about), and during each path's slices the gateway's CPU time and the CPU share of the three
   * processes that share the machine's cores: this one (client and agent), gateway, orchestrator.
   */
  private Table measure(BenchMesh mesh, JavaProcess gateway, int rate, List<Caller> callers)
      throws Exception {
    long[] jitMillis = new long[callers.size()];
    long[][] shareMillis = new long[callers.size()][3];
    long[] wallNanos = new long[callers.size()];
    // In CpuShares' order: this process, the gateway, the orchestrator.
    long[] pids = {ProcessHandle.current().pid(), gateway.pid(), mesh.orchestrator().pid()};
    InterleavedLoad.Listener gatewayCpu =
        new InterleavedLoad.Listener() {
          private ProcessStats[] before;
          private long startNanos;

          @Override
          public void beforeRounds() {
            callers.forEach(c -> c.tally().clear()); // The warm-up does not count.
          }

          @Override
          public void beforeSlice(int index) {
            before = stats(pids);
            startNanos = System.nanoTime();
          }

          @Override
          public void afterSlice(int index) {
            wallNanos[index] += System.nanoTime() - startNanos;
            ProcessStats[] after = stats(pids);
            for (int p = 0; p < pids.length; p++) {
              shareMillis[index][p] += after[p].cpuMillis() - before[p].cpuMillis();
            }
            jitMillis[index] += after[GATEWAY].jitCpuMillis() - before[GATEWAY].jitCpuMillis();
          }
        };
    List<InterleavedLoad.Measured> measured =
        new InterleavedLoad(rate, options.warmup(), options.duration(), ROUNDS)
            .run(
                callers.stream()
                    .map(c -> new InterleavedLoad.Case(c.name(), c.call(), c.background()))
                    .toList(),
                line -> progress("%s", line),
                gatewayCpu);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < callers.size(); i++) {
      long requests =
          callers.get(i).gatewayRequestsPerCall() == 0
              ? 0
              : measured.get(i).sent() * callers.get(i).gatewayRequestsPerCall()
                  + measured.get(i).backgroundSent();
      double wallMillis = wallNanos[i] / 1e6;
      rows.add(
          new Row(
              measured.get(i),
              callers.get(i).tally().rejected(),
              requests == 0 ? Double.NaN : shareMillis[i][GATEWAY] * 1000.0 / requests,
              requests == 0 ? Double.NaN : jitMillis[i] * 1000.0 / requests,
              new CpuShares(
                  100 * shareMillis[i][0] / wallMillis,
                  100 * shareMillis[i][1] / wallMillis,
                  100 * shareMillis[i][2] / wallMillis),
              callers.get(i).tally().server()));
    }
    return new Table(rate, rows);
  }

  private static ProcessStats[] stats(long[] pids) {
    ProcessStats[] stats = new ProcessStats[pids.length];
    for (int i = 0; i < pids.length; i++) {
      try {
        stats[i] = ProcessStats.of(pids[i]);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return stats;
  }

  private boolean report(String loadBefore, Table runs, Table reads, ProcessStats gateway) {
    boolean runsOk = runs.meetsGoals();
    boolean readsOk = reads.meetsGoals();
    boolean ok = runsOk && readsOk;
    out.println();
    out.println("## Gateway benchmark: HTTP through the gateway vs gRPC to the orchestrator");
    out.println();
    out.printf(
        Locale.ROOT,
        "registry + orchestrator (durable H2 store, under %s) + gateway (HTTPS with the bench CA's"
            + " `gateway/gateway` certificate, one API key, access log on as shipped) as processes"
            + " (JVM options `%s`; tracing %s) + the in-bench agent `bench.noop`; the client is"
            + " %s over HTTP/%s (trusting the bench CA) and"
            + " grpc-java over mTLS as `client/bench`; open loop, %ds per case in %d interleaved"
            + " rounds after %ds warm-up per case; load average before: %s%n",
        options.dataParent(),
        String.join(" ", options.jvmOptions()),
        options.tracing() ? "on" : "off",
        clientName(),
        versionName(),
        options.duration().toSeconds(),
        ROUNDS,
        options.warmup().toSeconds(),
        loadBefore);
    settled.ifPresent(
        warmed ->
            out.printf(
                "%nBefore the cases: %s%n",
                warmed.describe(
                    "runs through the gateway (GetRun alongside)",
                    "the JIT of the gateway and of the orchestrator each")));
    out.println();
    int alongside = backgroundRate();
    out.printf(
        Locale.ROOT,
        "### StartRun to completion (one-step workflow) at %,d/s%s%n%n",
        runs.rate(),
        alongside == 0 ? "" : String.format(Locale.ROOT, ", GetRun at %,d/s alongside", alongside));
    out.println(
        "To completion: from sending the request that starts the run to receiving the run's"
            + " terminal event. The first two rows start and follow a run in one call"
            + " (StartAndWatchRun; through the gateway `POST /v1/runs:stream`, one HTTP request"
            + " relayed as one gRPC stream): the goal's comparison. The last two start it, then"
            + " follow it (StartRun, then WatchRun; through the gateway two HTTP requests, each"
            + " relayed), at the same rate.");
    out.println();
    runs.print(out);
    out.println();
    if (alongside == 0) {
      out.printf(Locale.ROOT, "Runs started at %,d/s, with no load alongside.%n", runs.rate());
    } else {
      out.printf(
          Locale.ROOT,
          "Runs are started at %,d/s: on a shared 2-core machine the orchestrator (durable store,"
              + " a few commits per run) cannot complete %,d one-step runs/s, through the gateway"
              + " or not, and past its capacity both paths would measure its queue rather than"
              + " the gateway (`--rate` finds where that is). So that each row still meets a"
              + " gateway serving %,d requests/s, as the goal says, it runs with %,d GetRun"
              + " calls/s alongside on its own path (`GET /v1/runs/{id}` through the gateway for"
              + " the gateway rows, gRPC GetRun for the direct rows) and its own connection, as"
              + " other clients' load would come, started with it and not measured; the gateway"
              + " CPU column counts them among its requests.%n",
          runs.rate(),
          reads.rate(),
          reads.rate(),
          alongside);
    }
    out.println();
    out.printf(Locale.ROOT, "### GetRun (read-only, annotated) at %,d/s%n%n", reads.rate());
    out.println(
        "`GET /v1/runs/{id}` through the gateway vs `GetRun` direct, of one completed run (the"
            + " same response message; the HTTP client discards the JSON body unparsed). The third"
            + " row, `/healthz` (answered by the gateway itself: no key check, no transcoding, no"
            + " upstream call), is the floor of the HTTP side: client, TLS, HTTP/2 and the"
            + " gateway's server. The gateway CPU column is the gateway process's CPU time during"
            + " that row's slices per request; the JIT part is its compiler threads (a large part"
            + " means it was not warm yet).");
    out.println();
    reads.print(out);
    out.println();
    out.printf(
        Locale.ROOT,
        "gateway RSS at the end: %.0f MiB (peak %.0f MiB)%n",
        gateway.rssKib() / 1024.0,
        gateway.peakRssKib() / 1024.0);
    out.println();
    out.println(
        "The HTTP rows include what differs on the client side too: "
            + clientName()
            + " and JSON"
            + " (the POST's response is parsed for the run id) instead of grpc-java and protobuf.");
    out.println();
    out.printf(
        Locale.ROOT,
        "goals (added p50 <= %.0f ms, added p99 <= %.0f ms): StartRun to completion at %,d/s %s;"
            + " GetRun at %,d/s %s%n",
        GOAL_ADDED_P50_MILLIS,
        GOAL_ADDED_P99_MILLIS,
        runs.rate(),
        runsOk ? "met" : "MISSED",
        reads.rate(),
        readsOk ? "met" : "MISSED");
    out.println();
    out.println(ok ? "result: every goal met" : "result: GOAL MISSED");
    return ok;
  }

  /** Starts runs through the gateway {@code way} until one completes (fails after 60s). */
  private void awaitGatewayRun(
      BiConsumer<String, Consumer<RunDriver.Outcome>> way, String startJson) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      CompletableFuture<RunDriver.Outcome> outcome = new CompletableFuture<>();
      way.accept(startJson, outcome::complete);
      if (outcome.get(60, TimeUnit.SECONDS).kind() == RunDriver.Kind.COMPLETED) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("no run through the gateway completed within 60s");
      }
      Thread.sleep(200); // The gateway's upstream channel is connecting; try again.
    }
  }

  /** Starts one run directly and waits until it is terminal; returns its id. */
  private static String completedRun(BenchMesh mesh, StartRunRequest start)
      throws InterruptedException {
    OrchestratorServiceGrpc.OrchestratorServiceBlockingStub stub =
        OrchestratorServiceGrpc.newBlockingStub(mesh.orchestratorChannel())
            .withDeadlineAfter(60, TimeUnit.SECONDS);
    String runId = stub.startRun(start).getRun().getRunId();
    GetRunRequest get = GetRunRequest.newBuilder().setRunId(runId).build();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!TERMINAL_STATES.contains(stub.getRun(get).getRun().getState())) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("run " + runId + " not finished after 60s");
      }
      Thread.sleep(20); // The run is working.
    }
    return runId;
  }

  private static String newApiKey() {
    byte[] key = new byte[24];
    new SecureRandom().nextBytes(key);
    return "bench-" + HexFormat.of().formatHex(key);
  }

  /** The gateway's API key file: one key for every route, with no practical rate limit. */
  static String keyFile(String apiKey) throws NoSuchAlgorithmException {
    String sha256 =
        HexFormat.of()
            .formatHex(
                MessageDigest.getInstance("SHA-256")
                    .digest(apiKey.getBytes(StandardCharsets.UTF_8)));
    return "keys:\n"
        + "  - name: bench\n"
        + "    sha256: "
        + sha256
        + "\n"
        + "    allow: [\"/v1/**\"]\n"
        + "    rate: 1000000\n"
        + "    burst: 1000000\n";
  }

  private String clientName() {
    return options.httpClient().description;
  }

  private String versionName() {
    return options.httpVersion() == HttpClient.Version.HTTP_2 ? "2" : "1.1";
  }

  private void progress(String format, Object... args) {
    out.printf(Locale.ROOT, "bench: " + format + "%n", args);
  }

  /**
   * One way of making the call.
   *
   * @param name how the report names it
   * @param call makes one call
   * @param gatewayRequestsPerCall HTTP requests to the gateway per call (0: direct)
   * @param tally what its calls reported beyond their latency
   * @param background load alongside, on the same path (one gateway request per call for a gateway
   *     path)
   */
  private record Caller(
      String name,
      Consumer<OpenLoop.Done> call,
      int gatewayRequestsPerCall,
      Tally tally,
      Optional<InterleavedLoad.Background> background) {

    Caller(String name, Consumer<OpenLoop.Done> call, int gatewayRequestsPerCall) {
      this(name, call, gatewayRequestsPerCall, new Tally(), Optional.empty());
    }

    /** A path that runs a workflow: {@code run} starts one and reports its outcome. */
    static Caller runs(
        String name,
        int gatewayRequestsPerCall,
        Consumer<Consumer<RunDriver.Outcome>> run,
        Optional<InterleavedLoad.Background> background) {
      Tally tally = new Tally();
      return new Caller(
          name,
          done -> run.accept(tally.finisher(done)),
          gatewayRequestsPerCall,
          tally,
          background);
    }
  }

  /**
   * What one path's calls reported beyond their latency: how many were refused as overload, and how
   * long the completed runs took in the orchestrator (from their create time to their terminal
   * event, on its clock), which tells a path that slows the orchestrator from one that only adds
   * transit.
   */
  private static final class Tally {
    private final AtomicLong rejected = new AtomicLong();
    private volatile Latencies server = new Latencies();

    /** Reports a run's outcome to {@code done}, counting it here first. */
    Consumer<RunDriver.Outcome> finisher(OpenLoop.Done done) {
      return outcome -> {
        if (outcome.kind() == RunDriver.Kind.REJECTED) {
          rejected.incrementAndGet();
        }
        if (outcome.kind() == RunDriver.Kind.COMPLETED && outcome.serverNanos() > 0) {
          server.add(outcome.serverNanos());
        }
        done.done(outcome.kind() == RunDriver.Kind.COMPLETED);
      };
    }

    void clear() {
      rejected.set(0);
      server = new Latencies();
    }

    long rejected() {
      return rejected.get();
    }

    Latencies server() {
      return server;
    }
  }

  /**
   * What one path measured.
   *
   * @param measured its latencies and counts
   * @param rejected calls refused with RESOURCE_EXHAUSTED / 429 (counted as errors too)
   * @param gatewayCpuMicros the gateway's CPU time during its slices per HTTP request, NaN for a
   *     direct path
   * @param gatewayJitMicros the part of it the gateway's JIT compiler threads took
   * @param shares the processes' CPU during its slices
   * @param server the completed runs' time in the orchestrator (empty for calls that run nothing)
   */
  private record Row(
      InterleavedLoad.Measured measured,
      long rejected,
      double gatewayCpuMicros,
      double gatewayJitMicros,
      CpuShares shares,
      Latencies server) {}

  /**
   * CPU time per wall time, in % of one core (the machine has two): what each process took while a
   * path was measured, so a path whose client or gateway crowds the orchestrator shows it.
   *
   * @param bench this process: the load generator and the in-bench agent
   * @param gateway the gateway process (idle on the direct paths)
   * @param orchestrator the orchestrator process
   */
  private record CpuShares(double bench, double gateway, double orchestrator) {

    String text() {
      return String.format(Locale.ROOT, "%.0f / %.0f / %.0f", bench, gateway, orchestrator);
    }
  }

  /** The paths of one table at one rate: the baseline first, then the gateway path of the goal. */
  private record Table(int rate, List<Row> rows) {

    Table {
      rows = List.copyOf(rows);
    }

    private Latencies direct() {
      return rows.get(0).measured().latencies();
    }

    private Latencies gateway() {
      return rows.get(1).measured().latencies();
    }

    double addedMillis(double percentile) {
      return added(0, 1, percentile);
    }

    private double added(int baseline, int gateway, double percentile) {
      return rows.get(gateway).measured().latencies().percentileMillis(percentile)
          - rows.get(baseline).measured().latencies().percentileMillis(percentile);
    }

    /** The difference in the runs' p50 time in the orchestrator, "" when a row has none. */
    private String addedServer(int baseline, int gateway) {
      Latencies before = rows.get(baseline).server();
      Latencies after = rows.get(gateway).server();
      if (before.count() == 0 || after.count() == 0) {
        return "";
      }
      return String.format(
          Locale.ROOT, "%.2f ms p50", after.percentileMillis(50) - before.percentileMillis(50));
    }

    boolean meetsGoals() {
      return addedMillis(50) <= GOAL_ADDED_P50_MILLIS
          && addedMillis(99) <= GOAL_ADDED_P99_MILLIS
          && rows.get(0).measured().failures() == 0
          && rows.get(1).measured().failures() == 0;
    }

    void print(PrintStream out) {
      out.println(
          "| path | completed of sent | achieved/s | errors (rejected) | p50 | p90 | p99 | max |"
              + " gateway CPU per HTTP request (of which JIT) | CPU, % of a core: bench /"
              + " gateway / orchestrator | run in the orchestrator p50 / p99 |");
      out.println("|---|---|---|---|---|---|---|---|---|---|---|");
      for (Row row : rows) {
        row(out, row);
      }
      out.printf(
          Locale.ROOT,
          "| **added by the gateway** (second row minus first) | | | | **%.2f ms** | %.2f ms |"
              + " **%.2f ms** | | | | %s |%n",
          addedMillis(50),
          addedMillis(90),
          addedMillis(99),
          addedServer(0, 1));
      if (rows.size() == 4) {
        out.printf(
            Locale.ROOT,
            "| added on the two-request way (fourth row minus third) | | | | %.2f ms | %.2f ms |"
                + " %.2f ms | | | | %s |%n",
            added(2, 3, 50),
            added(2, 3, 90),
            added(2, 3, 99),
            addedServer(2, 3));
      }
      out.println();
      out.printf(
          Locale.ROOT,
          "ratio gateway / direct: p50 %.2fx, p99 %.2fx; goal added p50 <= %.0f ms: %s, added p99"
              + " <= %.0f ms: %s%n",
          gateway().percentileMillis(50) / direct().percentileMillis(50),
          gateway().percentileMillis(99) / direct().percentileMillis(99),
          GOAL_ADDED_P50_MILLIS,
          addedMillis(50) <= GOAL_ADDED_P50_MILLIS ? "met" : "MISSED",
          GOAL_ADDED_P99_MILLIS,
          addedMillis(99) <= GOAL_ADDED_P99_MILLIS ? "met" : "MISSED");
    }

    private static void row(PrintStream out, Row row) {
      InterleavedLoad.Measured m = row.measured();
      Latencies l = m.latencies();
      out.printf(
          Locale.ROOT,
          "| %s | %,d of %,d | %.0f | %d (%d) | %.2f ms | %.2f ms | %.2f ms | %.2f ms | %s | %s"
              + " | %s |%n",
          m.name(),
          l.count(),
          m.sent(),
          m.perSecond(),
          m.failures(),
          row.rejected(),
          l.percentileMillis(50),
          l.percentileMillis(90),
          l.percentileMillis(99),
          l.percentileMillis(100),
          Double.isNaN(row.gatewayCpuMicros())
              ? "-"
              : String.format(
                  Locale.ROOT, "%.0f µs (%.0f µs)", row.gatewayCpuMicros(), row.gatewayJitMicros()),
          row.shares().text(),
          row.server().count() == 0
              ? "-"
              : String.format(
                  Locale.ROOT,
                  "%.2f ms / %.2f ms",
                  row.server().percentileMillis(50),
                  row.server().percentileMillis(99)));
    }
  }
}
