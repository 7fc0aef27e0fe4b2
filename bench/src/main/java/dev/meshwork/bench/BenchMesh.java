package dev.meshwork.bench;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Struct;
import com.google.protobuf.util.JsonFormat;
import dev.meshwork.agent.MeshAgent;
import dev.meshwork.api.orchestrator.v1.OrchestratorServiceGrpc;
import dev.meshwork.api.orchestrator.v1.PutWorkflowRequest;
import dev.meshwork.api.orchestrator.v1.StartRunRequest;
import dev.meshwork.api.orchestrator.v1.WorkflowSpec;
import dev.meshwork.core.MeshChannels;
import io.grpc.ManagedChannel;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The mesh a workflow scenario runs against: the registry and the orchestrator (the shipped durable
 * H2 store) as child processes on free ports, and the in-bench agent {@code agent/bench} in this
 * JVM, registered in that registry; all with certificates from a throw-away {@link BenchPki}, in a
 * temporary directory that keeps the certificates and the process logs. The benchmark talks to them
 * as {@code client/bench}.
 */
final class BenchMesh implements AutoCloseable {

  /**
   * What to start.
   *
   * @param name names the temporary directory ({@code meshwork-bench-<name>...})
   * @param registryJar the registry service jar
   * @param orchestratorJar the orchestrator service jar
   * @param jvmOptions for both processes
   * @param tracing whether the processes keep their OpenTelemetry SDK on
   * @param dataParent where the temporary directory (and so the orchestrator's store) goes
   * @param moreIdentities certificates to issue besides the mesh's own (for example {@code
   *     gateway/gateway})
   * @param env more environment for the started processes (for example where to export spans)
   */
  record Options(
      String name,
      Path registryJar,
      Path orchestratorJar,
      List<String> jvmOptions,
      boolean tracing,
      Path dataParent,
      List<String> moreIdentities,
      Map<String, String> env) {

    Options {
      requireNonNull(name, "name");
      requireNonNull(registryJar, "registryJar");
      requireNonNull(orchestratorJar, "orchestratorJar");
      requireNonNull(dataParent, "dataParent");
      jvmOptions = List.copyOf(jvmOptions);
      moreIdentities = List.copyOf(moreIdentities);
      env = Map.copyOf(env);
    }
  }

  /** What the services keep under their data directory, deleted when the mesh stops. */
  private static final List<String> STORES = List.of("orchestrator", "registry");

  private final Path dir;
  private final BenchPki pki;
  private final Map<String, String> env;
  private final List<AutoCloseable> started = new ArrayList<>();
  private JavaProcess registry;
  private JavaProcess orchestrator;
  private String registryTarget;
  private String orchestratorTarget;
  private MeshChannels clientMesh;
  private ManagedChannel orchestratorChannel;
  private ManagedChannel agentChannel;

  private BenchMesh(Path dir, BenchPki pki, Map<String, String> env) {
    this.dir = dir;
    this.pki = pki;
    this.env = env;
    // First in, so closed last: once every process that writes the stores has stopped.
    started.add(this::deleteStores);
  }

  /**
   * Starts the registry, the orchestrator and the agent, and waits until both processes answer
   * their health checks; {@code out} gets one progress line with the ports and the directory.
   */
  static BenchMesh start(Options options, PrintStream out) throws Exception {
    Files.createDirectories(options.dataParent());
    Path dir = Files.createTempDirectory(options.dataParent(), "meshwork-bench-" + options.name());
    List<String> identities =
        new ArrayList<>(
            List.of(
                "registry/registry", "orchestrator/orchestrator", "agent/bench", "client/bench"));
    identities.addAll(options.moreIdentities());
    BenchPki pki = BenchPki.create(dir.resolve("certs"), identities.toArray(String[]::new));
    Map<String, String> env = new HashMap<>(processEnv(options.tracing()));
    env.putAll(options.env());
    BenchMesh mesh = new BenchMesh(dir, pki, env);
    try {
      mesh.startAll(options, out);
      return mesh;
    } catch (Exception | Error e) {
      mesh.close();
      throw e;
    }
  }

  /**
   * The environment added to the started processes: with tracing off, {@code
   * OTEL_SDK_DISABLED=true}, so that the figures do not depend on a collector listening.
   */
  static Map<String, String> processEnv(boolean tracing) {
    return tracing ? Map.of() : Map.of("OTEL_SDK_DISABLED", "true");
  }

  private void startAll(Options options, PrintStream out) throws Exception {
    int registryPort = JavaProcess.freePort();
    int orchestratorPort = JavaProcess.freePort();
    registryTarget = "localhost:" + registryPort;
    orchestratorTarget = "localhost:" + orchestratorPort;
    out.printf(
        Locale.ROOT,
        "bench: registry on %d, orchestrator on %d, logs in %s%n",
        registryPort,
        orchestratorPort,
        dir);
    registry =
        startProcess(
            "registry",
            options.registryJar(),
            options.jvmOptions(),
            List.of("--port", String.valueOf(registryPort), "--data-dir", dir.toString()));
    orchestrator =
        startProcess(
            "orchestrator",
            options.orchestratorJar(),
            options.jvmOptions(),
            List.of(
                "--port",
                String.valueOf(orchestratorPort),
                "--data-dir",
                dir.toString(),
                "--registry",
                registryTarget));
    clientMesh = MeshChannels.create(pki.tls("client/bench"));
    started.add(clientMesh);
    ManagedChannel registryChannel = channel(clientMesh, registryTarget);
    orchestratorChannel = channel(clientMesh, orchestratorTarget);
    Health.awaitServing(registryChannel, registry);
    MeshAgent agent = BenchAgent.startTls(registryTarget, pki.root());
    started.add(agent::shutdown);
    agentChannel = channel(clientMesh, "localhost:" + agent.port());
    Health.awaitServing(orchestratorChannel, orchestrator);
  }

  /**
   * Starts another service jar of the mesh ({@code --cert-dir} of this mesh added to {@code args}),
   * stopped with the mesh; its log is {@code <dir>/<name>.log}.
   */
  JavaProcess startProcess(String name, Path jar, List<String> jvmOptions, List<String> args)
      throws IOException {
    List<String> all = new ArrayList<>(args);
    all.addAll(List.of("--cert-dir", pki.root().toString()));
    JavaProcess process = JavaProcess.start(name, jar, jvmOptions, all, env, dir);
    started.add(process);
    return process;
  }

  private ManagedChannel channel(MeshChannels mesh, String target) {
    ManagedChannel channel = mesh.forTarget(target);
    started.add(channel::shutdownNow);
    return channel;
  }

  /** The temporary directory: certificates, process logs, the stores. */
  Path dir() {
    return dir;
  }

  BenchPki pki() {
    return pki;
  }

  JavaProcess registry() {
    return registry;
  }

  JavaProcess orchestrator() {
    return orchestrator;
  }

  /** {@code localhost:<port>} of the registry. */
  String registryTarget() {
    return registryTarget;
  }

  /** {@code localhost:<port>} of the orchestrator. */
  String orchestratorTarget() {
    return orchestratorTarget;
  }

  /** An mTLS channel to the orchestrator as {@code client/bench}. */
  ManagedChannel orchestratorChannel() {
    return orchestratorChannel;
  }

  /** Another mTLS channel to the orchestrator as {@code client/bench}: a connection of its own. */
  ManagedChannel newOrchestratorChannel() {
    return channel(clientMesh, orchestratorTarget);
  }

  /** An mTLS channel straight to the in-bench agent as {@code client/bench}. */
  ManagedChannel agentChannel() {
    return agentChannel;
  }

  /** Stores a workflow given as proto JSON; returns it. */
  WorkflowSpec putWorkflow(String json) throws InvalidProtocolBufferException {
    WorkflowSpec spec = workflow(json);
    OrchestratorServiceGrpc.newBlockingStub(orchestratorChannel)
        .withDeadlineAfter(30, TimeUnit.SECONDS)
        .putWorkflow(PutWorkflowRequest.newBuilder().setWorkflow(spec).build());
    return spec;
  }

  /**
   * Runs {@code request} until one run completes (the agent's registration reaching the
   * orchestrator takes a moment); fails after 60s or when the orchestrator has exited.
   */
  void awaitFirstRun(StartRunRequest request) throws Exception {
    RunDriver driver = new RunDriver(orchestratorChannel);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      orchestrator.checkAlive();
      CompletableFuture<RunDriver.Outcome> outcome = new CompletableFuture<>();
      driver.run(request, outcome::complete);
      if (outcome.get(60, TimeUnit.SECONDS).kind() == RunDriver.Kind.COMPLETED) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("no run completed within 60s (agent registered?)");
      }
      Thread.sleep(200); // The agent's registration is reaching the orchestrator; try again.
    }
  }

  /** A workflow from its proto JSON. */
  static WorkflowSpec workflow(String json) throws InvalidProtocolBufferException {
    return parse(json, WorkflowSpec.newBuilder()).build();
  }

  /** A {@link Struct} from JSON. */
  static Struct struct(String json) throws InvalidProtocolBufferException {
    return parse(json, Struct.newBuilder()).build();
  }

  private static <B extends Message.Builder> B parse(String json, B builder)
      throws InvalidProtocolBufferException {
    JsonFormat.parser().merge(json, builder);
    return builder;
  }

  /**
   * Stops the agent, the channels and the processes, the last started first, then deletes the
   * services' stores.
   */
  @Override
  public void close() throws Exception {
    Exception first = null;
    for (int i = started.size() - 1; i >= 0; i--) {
      try {
        started.get(i).close();
      } catch (Exception e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    started.clear();
    if (first != null) {
      throw first;
    }
  }

  /**
   * Deletes what the services stored (the orchestrator's store grows by gigabytes in a long run:
   * left behind, a few benchmark runs filled the disk); the logs and certificates stay.
   */
  private void deleteStores() throws IOException {
    for (String store : STORES) {
      Path path = dir.resolve(store);
      if (!Files.exists(path)) {
        continue;
      }
      try (Stream<Path> paths = Files.walk(path)) {
        for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }
}
