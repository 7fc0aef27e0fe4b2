package dev.meshwork.bench;

import static java.util.Objects.requireNonNull;

import dev.meshwork.agent.MeshAgent;
import dev.meshwork.api.agent.v1.AgentServiceGrpc;
import dev.meshwork.api.agent.v1.InvokeRequest;
import dev.meshwork.api.common.v1.Part;
import dev.meshwork.core.MeshChannels;
import dev.meshwork.core.TlsConfig;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One hop: the same {@code bench.noop} call made directly with plain grpc-java over plaintext, and
 * through the mesh client ({@code mesh:///skill/bench.noop}: registry resolver, weighted round
 * robin with outlier detection and health checks, mTLS, the mesh's client interceptors), at the
 * same fixed rate with the same open-loop generator; plus direct mTLS as the middle step, and the
 * direct cases again driven by ghz when it is installed.
 */
final class HopBench {

  /** What to run. */
  record Options(
      Path registryJar,
      int rate,
      Duration duration,
      Duration warmup,
      String ghz,
      List<String> jvmOptions,
      boolean tracing) {

    Options {
      requireNonNull(registryJar, "registryJar");
      requireNonNull(duration, "duration");
      requireNonNull(warmup, "warmup");
      requireNonNull(ghz, "ghz");
      jvmOptions = List.copyOf(jvmOptions);
    }

    static Options from(BenchArgs args) {
      return new Options(
          args.registryJar(),
          args.settings().integer("rate", 1_000, 1, 50_000),
          args.duration(Duration.ofSeconds(10)),
          args.settings()
              .duration("warmup", Duration.ofSeconds(5), Duration.ZERO, Duration.ofMinutes(5)),
          args.settings().string("ghz", "auto"),
          args.jvmOptions("-Xmx256m"),
          args.tracing());
    }
  }

  static final double GOAL_ADDED_P50_MILLIS = 0.2;
  static final double GOAL_ADDED_P99_MILLIS = 1.0;
  private static final int ROUNDS = 5;

  private static final InvokeRequest REQUEST =
      InvokeRequest.newBuilder()
          .setSkillId(BenchAgent.SKILL)
          .addInput(Part.newBuilder().setText("hello"))
          .build();

  private final Options options;
  private final PrintStream out;

  HopBench(Options options, PrintStream out) {
    this.options = requireNonNull(options, "options");
    this.out = requireNonNull(out, "out");
  }

  /** Runs the scenario and prints the report; returns true when every goal is met. */
  boolean run() throws Exception {
    Path tmp = Files.createTempDirectory("meshwork-bench-hop");
    BenchPki pki =
        BenchPki.create(tmp.resolve("certs"), "registry/registry", "agent/bench", "client/bench");
    Map<String, String> env = options.tracing() ? Map.of() : Map.of("OTEL_SDK_DISABLED", "true");
    int registryPort = JavaProcess.freePort();
    String registry = "localhost:" + registryPort;
    String loadBefore = LoadAverage.read();
    try (JavaProcess registryProcess =
            JavaProcess.start(
                "registry",
                options.registryJar(),
                options.jvmOptions(),
                List.of(
                    "--port",
                    String.valueOf(registryPort),
                    "--cert-dir",
                    pki.root().toString(),
                    "--data-dir",
                    tmp.toString()),
                env,
                tmp);
        MeshChannels clientMesh = MeshChannels.create(pki.tls("client/bench"))) {
      ManagedChannel registryChannel = clientMesh.forTarget(registry);
      Health.awaitServing(registryChannel, registryProcess);
      MeshAgent tlsAgent = BenchAgent.startTls(registry, pki.root());
      MeshAgent plainAgent = BenchAgent.startPlaintext();
      List<ManagedChannel> channels = new ArrayList<>();
      try {
        ManagedChannel plain =
            Grpc.newChannelBuilderForAddress(
                    "127.0.0.1", plainAgent.port(), InsecureChannelCredentials.create())
                .build();
        ManagedChannel direct = clientMesh.forTarget("localhost:" + tlsAgent.port());
        ManagedChannel mesh =
            clientMesh.withRegistry(registryChannel).forTarget("mesh:///skill/" + BenchAgent.SKILL);
        channels.addAll(List.of(plain, direct, mesh));
        awaitFirstCall(mesh);

        List<InterleavedLoad.Measured> rows =
            javaLoad(
                List.of(plain, direct, mesh),
                List.of(
                    "Java, direct plaintext (baseline)",
                    "Java, direct mTLS",
                    "Java, mesh client (mTLS + mesh:/// + LB + interceptors)"));
        Optional<Ghz> ghz = Ghz.find(options.ghz(), tmp);
        List<GhzRow> ghzRows = new ArrayList<>();
        String ghzNote;
        if (ghz.isPresent()) {
          ghzNote = "ghz: " + ghz.get().binary();
          ghzRows.add(
              ghzRow(ghz.get(), "ghz, direct plaintext", "127.0.0.1:" + plainAgent.port(), null));
          ghzRows.add(
              ghzRow(
                  ghz.get(),
                  "ghz, direct mTLS",
                  "127.0.0.1:" + tlsAgent.port(),
                  ghzTls(pki.tls("client/bench"))));
        } else {
          ghzNote = "ghz: not found (--ghz " + options.ghz() + "); Java generator only";
        }
        return report(loadBefore, rows, ghzRows, ghzNote);
      } finally {
        channels.forEach(ManagedChannel::shutdownNow);
        registryChannel.shutdownNow();
        tlsAgent.shutdown();
        plainAgent.shutdown();
      }
    }
  }

  /** Measures the Java cases with the same generator, interleaved (see {@link InterleavedLoad}). */
  private List<InterleavedLoad.Measured> javaLoad(List<ManagedChannel> channels, List<String> names)
      throws InterruptedException {
    List<InterleavedLoad.Case> cases = new ArrayList<>();
    for (int i = 0; i < channels.size(); i++) {
      AgentServiceGrpc.AgentServiceStub stub = AgentServiceGrpc.newStub(channels.get(i));
      cases.add(new InterleavedLoad.Case(names.get(i), done -> call(stub, done)));
    }
    return new InterleavedLoad(options.rate(), options.warmup(), options.duration(), ROUNDS)
        .run(cases, line -> progress("%s", line));
  }

  private static void call(AgentServiceGrpc.AgentServiceStub stub, OpenLoop.Done done) {
    stub.withDeadlineAfter(5, TimeUnit.SECONDS).invoke(REQUEST, OpenLoop.observer(done));
  }

  private GhzRow ghzRow(Ghz ghz, String name, String target, Ghz.Tls tls) throws Exception {
    progress(
        "%s: %d/s, %ds warm-up, %ds measured",
        name, options.rate(), options.warmup().toSeconds(), options.duration().toSeconds());
    if (!options.warmup().isZero()) {
      ghz.invoke(target, tls, options.rate(), options.warmup());
    }
    return new GhzRow(name, ghz.invoke(target, tls, options.rate(), options.duration()));
  }

  private boolean report(
      String loadBefore,
      List<InterleavedLoad.Measured> rows,
      List<GhzRow> ghzRows,
      String ghzNote) {
    Latencies baseline = rows.get(0).latencies();
    Latencies mesh = rows.get(rows.size() - 1).latencies();
    double addedP50 = mesh.percentileMillis(50) - baseline.percentileMillis(50);
    double addedP99 = mesh.percentileMillis(99) - baseline.percentileMillis(99);
    boolean ok = addedP50 <= GOAL_ADDED_P50_MILLIS && addedP99 <= GOAL_ADDED_P99_MILLIS;
    out.println();
    out.println("## Hop benchmark: direct grpc-java call vs the mesh client");
    out.println();
    out.printf(
        Locale.ROOT,
        "`AgentService.Invoke` of `bench.noop` (returns its input) at %,d calls/s, open loop, %ds"
            + " per case (in %d interleaved rounds) after %ds warm-up per case; both agents in the"
            + " benchmark's JVM; tracing %s; load average before: %s%n",
        options.rate(),
        options.duration().toSeconds(),
        ROUNDS,
        options.warmup().toSeconds(),
        options.tracing() ? "on" : "off",
        loadBefore);
    out.println();
    out.println("| case | calls | p50 | p99 | p50 ratio to baseline | p99 ratio to baseline |");
    out.println("|---|---|---|---|---|---|");
    for (InterleavedLoad.Measured row : rows) {
      Latencies l = row.latencies();
      out.printf(
          Locale.ROOT,
          "| %s | %,d | %.3f ms | %.3f ms | %.2fx | %.2fx |%n",
          row.name(),
          l.count(),
          l.percentileMillis(50),
          l.percentileMillis(99),
          l.percentileMillis(50) / baseline.percentileMillis(50),
          l.percentileMillis(99) / baseline.percentileMillis(99));
    }
    for (GhzRow row : ghzRows) {
      Ghz.Result r = row.result();
      out.printf(
          Locale.ROOT,
          "| %s | %,d (%d errors) | %.3f ms | %.3f ms | - | - |%n",
          row.name(),
          r.count(),
          r.errors(),
          r.p50Millis(),
          r.p99Millis());
    }
    out.println();
    out.printf(
        Locale.ROOT,
        "**added by the mesh client** (Java mesh client minus Java direct plaintext): p50 %.3f ms"
            + " (goal <= %.1f ms), p99 %.3f ms (goal <= %.1f ms)%n",
        addedP50,
        GOAL_ADDED_P50_MILLIS,
        addedP99,
        GOAL_ADDED_P99_MILLIS);
    out.println();
    out.println(
        ghzNote
            + ". ghz cannot use the `mesh:///` resolver, so the mesh-client case is driven by the"
            + " Java open-loop generator only, and the added latency is computed between the two"
            + " Java rows (same generator, same JVM); the ghz rows are a cross-check of the direct"
            + " cases with an independent client.");
    out.println();
    out.println(ok ? "result: every goal met" : "result: GOAL MISSED");
    return ok;
  }

  private static Ghz.Tls ghzTls(TlsConfig tls) {
    return new Ghz.Tls(tls.ca(), tls.cert(), tls.key());
  }

  private static void awaitFirstCall(ManagedChannel mesh) throws InterruptedException {
    AgentServiceGrpc.AgentServiceBlockingStub stub = AgentServiceGrpc.newBlockingStub(mesh);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      try {
        stub.withWaitForReady().withDeadlineAfter(5, TimeUnit.SECONDS).invoke(REQUEST);
        return;
      } catch (RuntimeException notYet) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("no call through mesh:/// succeeded in 60s", notYet);
        }
        Thread.sleep(200); // The agent's registration is reaching the resolver; try again.
      }
    }
  }

  private void progress(String format, Object... args) {
    out.printf(Locale.ROOT, "bench: " + format + "%n", args);
  }

  private record GhzRow(String name, Ghz.Result result) {}
}
