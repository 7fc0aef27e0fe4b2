package dev.meshwork.bench;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.util.Durations;
import dev.meshwork.api.common.v1.AgentCard;
import dev.meshwork.api.common.v1.Endpoint;
import dev.meshwork.api.common.v1.Skill;
import dev.meshwork.api.registry.v1.InstanceFilter;
import dev.meshwork.api.registry.v1.Load;
import dev.meshwork.api.registry.v1.RegisterAgentRequest;
import dev.meshwork.api.registry.v1.RegisterAgentResponse;
import dev.meshwork.api.registry.v1.RegistryServiceGrpc;
import dev.meshwork.api.registry.v1.RenewLeaseRequest;
import dev.meshwork.api.registry.v1.WatchAgentInstancesRequest;
import dev.meshwork.api.registry.v1.WatchAgentInstancesResponse;
import dev.meshwork.api.registry.v1.WatchEventType;
import dev.meshwork.core.MeshChannels;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.StreamObserver;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The registry under load: N registered instances renewing at a fixed rate while W watchers follow
 * every change. Reports renew latency (against a no-op health check measured at the same rate in
 * the same run), the delay until a new registration has reached every watcher, and the registry
 * process's CPU and memory.
 */
final class RegistryBench {

  /** What to run. */
  record Options(
      Path registryJar,
      int instances,
      int renewRate,
      int watchers,
      Duration duration,
      int probes,
      List<String> jvmOptions) {

    Options {
      requireNonNull(registryJar, "registryJar");
      requireNonNull(duration, "duration");
      jvmOptions = List.copyOf(jvmOptions);
      if (instances < 1) {
        throw new IllegalArgumentException("instances: " + instances + " (expected: > 0)");
      }
      if (renewRate < 1) {
        throw new IllegalArgumentException("renew-rate: " + renewRate + " (expected: > 0)");
      }
    }
  }

  private static final int FIRST_PORT = 10_000;
  private static final int FIRST_PROBE_PORT = 40_000;

  private final Options options;
  private final PrintStream out;
  private volatile boolean finished;

  RegistryBench(Options options, PrintStream out) {
    this.options = requireNonNull(options, "options");
    this.out = requireNonNull(out, "out");
  }

  /** Runs the scenario and prints the report; returns true when every goal is met. */
  boolean run() throws Exception {
    Path tmp = Files.createTempDirectory("meshwork-bench-registry");
    BenchPki pki = BenchPki.create(tmp.resolve("certs"), "registry/registry", "agent/bench", "client/bench");
    int port = JavaProcess.freePort();
    JavaProcess registry =
        JavaProcess.start(
            "registry",
            options.registryJar(),
            options.jvmOptions(),
            List.of(
                "--port", String.valueOf(port),
                "--cert-dir", pki.root().toString(),
                "--data-dir", tmp.toString()),
            Map.of(),
            tmp);
    try (MeshChannels agentMesh = MeshChannels.create(pki.tls("agent/bench"));
        MeshChannels clientMesh = MeshChannels.create(pki.tls("client/bench"))) {
      ManagedChannel agent = agentMesh.forTarget("localhost:" + port);
      List<ManagedChannel> clients = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        clients.add(clientMesh.forTarget("localhost:" + port));
      }
      try {
        return measure(registry, agent, clients);
      } finally {
        finished = true;
        agent.shutdownNow();
        clients.forEach(ManagedChannel::shutdownNow);
      }
    } finally {
      registry.close();
    }
  }

  private boolean measure(JavaProcess registry, ManagedChannel agent, List<ManagedChannel> clients)
      throws Exception {
    Health.awaitServing(agent, registry);
    progress("registering %,d instances", options.instances());
    List<String> ids = registerAll(agent);

    progress("starting %d watchers", options.watchers());
    Map<Integer, Probe> probes = new ConcurrentHashMap<>();
    CountDownLatch synced = new CountDownLatch(options.watchers());
    for (int w = 0; w < options.watchers(); w++) {
      watch(clients.get(w % clients.size()), synced, probes);
    }
    if (!synced.await(5, TimeUnit.MINUTES)) {
      throw new IllegalStateException("watchers not synced after 5 minutes");
    }

    progress("baseline: health checks at %,d/s for %ds", options.renewRate(), seconds() / 2);
    HealthGrpc.HealthStub health = HealthGrpc.newStub(agent);
    Latencies baseline =
        new OpenLoop(options.renewRate(), Duration.ofSeconds(Math.max(1, seconds() / 2)))
            .run(
                done ->
                    health.check(HealthCheckRequest.getDefaultInstance(), OpenLoop.observer(done)))
            .latencies();

    progress("renewals at %,d/s for %ds with %d registration probes", options.renewRate(),
        seconds(), options.probes());
    RegistryServiceGrpc.RegistryServiceStub registryStub = RegistryServiceGrpc.newStub(agent);
    AtomicInteger next = new AtomicInteger();
    ProcessStats before = registry.stats();
    long wallStart = System.nanoTime();
    ScheduledExecutorService prober = Executors.newSingleThreadScheduledExecutor();
    long probeEvery = Math.max(1, options.duration().toMillis() / Math.max(1, options.probes()));
    AtomicInteger probeCount = new AtomicInteger();
    prober.scheduleAtFixedRate(
        () -> {
          int n = probeCount.getAndIncrement();
          if (n >= options.probes()) {
            return;
          }
          int probePort = FIRST_PROBE_PORT + n;
          probes.put(probePort, new Probe(System.nanoTime()));
          registryStub.registerAgent(register(probePort), OpenLoop.observer(ignored -> {}));
        },
        probeEvery / 2,
        probeEvery,
        TimeUnit.MILLISECONDS);
    OpenLoop.Result renewals =
        new OpenLoop(options.renewRate(), options.duration())
            .run(
                done ->
                    registryStub.renewLease(
                        heartbeat(ids.get(Math.floorMod(next.getAndIncrement(), ids.size()))),
                        OpenLoop.observer(done)));
    Latencies renew = renewals.latencies();
    prober.shutdown();
    long wallMillis = (System.nanoTime() - wallStart) / 1_000_000;
    ProcessStats after = registry.stats();

    Latencies fanOut = new Latencies();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline && probes.values().stream().anyMatch(p -> p.seen.get() < options.watchers())) {
      Thread.sleep(50); // Waiting for stragglers before reading results, not for correctness.
    }
    int incomplete = 0;
    for (Probe probe : probes.values()) {
      if (probe.seen.get() >= options.watchers()) {
        fanOut.add(probe.lastSeen.get() - probe.registeredAt);
      } else {
        incomplete++;
      }
    }
    double cpu = 100.0 * (after.cpuMillis() - before.cpuMillis()) / wallMillis;
    return report(baseline, renew, renewals.failures(), fanOut, incomplete, cpu, after);
  }

  private boolean report(
      Latencies baseline,
      Latencies renew,
      long renewFailures,
      Latencies fanOut,
      int incomplete,
      double cpuPercent,
      ProcessStats stats) {
    double renewP99 = renew.percentileMillis(99);
    double fanOutP99 = fanOut.percentileMillis(99);
    double rssMib = stats.rssKib() / 1024.0;
    boolean ok =
        renewP99 < 5 && fanOutP99 < 100 && rssMib < 300 && incomplete == 0 && renewFailures == 0;
    out.println();
    out.println("## Registry benchmark");
    out.println();
    out.printf(Locale.ROOT, "%,d instances, %,d renewals/s for %ds, %d watchers, %d probes%n",
        options.instances(), options.renewRate(), seconds(), options.watchers(), options.probes());
    out.println();
    out.println("| measure | p50 | p99 | ratio p99 / baseline p99 | goal |");
    out.println("|---|---|---|---|---|");
    row("health check (baseline, same rate)", baseline, baseline, "-");
    row("RenewLease", renew, baseline, "p99 < 5 ms");
    row("registration seen by all watchers", fanOut, baseline, "p99 < 100 ms");
    out.println();
    out.printf(Locale.ROOT,
        "renewals completed: %,d, failed: %,d; probes seen by every watcher: %d of %d%n",
        renew.count(), renewFailures, fanOut.count(), fanOut.count() + incomplete);
    out.printf(Locale.ROOT, "registry CPU during renewals: %.0f%% of one core; RSS %.0f MiB (peak %.0f MiB); goal RSS < 300 MiB%n",
        cpuPercent, rssMib, stats.peakRssKib() / 1024.0);
    out.println();
    out.println(ok ? "result: every goal met" : "result: GOAL MISSED");
    return ok;
  }

  private void row(String name, Latencies l, Latencies baseline, String goal) {
    out.printf(Locale.ROOT, "| %s | %.2f ms | %.2f ms | %.1fx | %s |%n", name, l.percentileMillis(50),
        l.percentileMillis(99), l.percentileMillis(99) / baseline.percentileMillis(99), goal);
  }

  private List<String> registerAll(ManagedChannel channel) throws InterruptedException {
    RegistryServiceGrpc.RegistryServiceStub stub = RegistryServiceGrpc.newStub(channel);
    String[] ids = new String[options.instances()];
    Semaphore window = new Semaphore(256);
    AtomicLong failures = new AtomicLong();
    for (int i = 0; i < options.instances(); i++) {
      window.acquire();
      int index = i;
      stub.registerAgent(
          register(FIRST_PORT + i),
          new StreamObserver<>() {
            @Override
            public void onNext(RegisterAgentResponse value) {
              ids[index] = value.getInstance().getInstanceId();
            }

            @Override
            public void onError(Throwable t) {
              failures.incrementAndGet();
              window.release();
            }

            @Override
            public void onCompleted() {
              window.release();
            }
          });
    }
    window.acquire(256);
    if (failures.get() > 0) {
      throw new IllegalStateException(failures.get() + " registrations failed");
    }
    return List.of(ids);
  }

  /**
   * A steady heartbeat: load as registered. A renewal whose load moves emits UPDATED to every
   * watcher; 10,000 of them at once would measure an update storm, not the heartbeat path this
   * scenario is about.
   */
  private static RenewLeaseRequest heartbeat(String instanceId) {
    return RenewLeaseRequest.newBuilder()
        .setInstanceId(instanceId)
        .setLoad(Load.getDefaultInstance())
        .build();
  }

  private static RegisterAgentRequest register(int port) {
    return RegisterAgentRequest.newBuilder()
        .setCard(
            AgentCard.newBuilder()
                .setName("bench")
                .setVersion("1.0.0")
                .addSkills(Skill.newBuilder().setId("bench.noop").setName("No-op")))
        .setEndpoint(Endpoint.newBuilder().setHost("127.0.0.1").setPort(port))
        .setLeaseTtl(Durations.fromSeconds(600))
        .build();
  }

  private void watch(ManagedChannel channel, CountDownLatch synced, Map<Integer, Probe> probes) {
    RegistryServiceGrpc.newStub(channel)
        .watchAgentInstances(
            WatchAgentInstancesRequest.newBuilder()
                .setFilter(InstanceFilter.newBuilder().setAgentName("bench"))
                .build(),
            new StreamObserver<>() {
              @Override
              public void onNext(WatchAgentInstancesResponse event) {
                if (event.getType() == WatchEventType.WATCH_EVENT_TYPE_SYNCED) {
                  synced.countDown();
                  return;
                }
                if (event.getType() != WatchEventType.WATCH_EVENT_TYPE_ADDED) {
                  return;
                }
                Probe probe = probes.get(event.getInstance().getEndpoint().getPort());
                if (probe != null) {
                  probe.lastSeen.accumulateAndGet(System.nanoTime(), Math::max);
                  probe.seen.incrementAndGet();
                }
              }

              @Override
              public void onError(Throwable t) {
                if (!finished) {
                  out.println("bench: a watcher ended early: " + t);
                }
              }

              @Override
              public void onCompleted() {}
            });
  }

  private long seconds() {
    return options.duration().toSeconds();
  }

  private void progress(String format, Object... args) {
    out.printf(Locale.ROOT, "bench: " + format + "%n", args);
  }

  /** One registration whose arrival at the watchers is timed. */
  private static final class Probe {
    final long registeredAt;
    final AtomicInteger seen = new AtomicInteger();
    final AtomicLong lastSeen = new AtomicLong();

    Probe(long registeredAt) {
      this.registeredAt = registeredAt;
    }
  }
}
