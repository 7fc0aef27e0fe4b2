package dev.meshwork.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.meshwork.agent.testing.AgentProcess;
import dev.meshwork.agent.testing.LoadRun;
import dev.meshwork.agent.testing.LoadTestAgent;
import dev.meshwork.api.agent.v1.AgentServiceGrpc;
import dev.meshwork.api.agent.v1.InvokeRequest;
import dev.meshwork.api.registry.v1.AgentInstance;
import dev.meshwork.api.registry.v1.RegistryServiceGrpc;
import dev.meshwork.core.AuthorizationPolicy;
import dev.meshwork.core.MeshChannels;
import dev.meshwork.core.MeshServer;
import dev.meshwork.core.ServerConfig;
import dev.meshwork.core.TlsConfig;
import dev.meshwork.core.testing.FakeRegistry;
import dev.meshwork.core.testing.TestPki;
import io.grpc.ManagedChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mesh's acceptance checks with real processes and real mTLS: three agent processes of agent
 * {@code text} register with a registry (a {@link FakeRegistry} behind a TLS {@link MeshServer});
 * a client with identity {@code client/test} calls {@code mesh:///skill/text.keywords} with the
 * default service config (health checking, outlier detection, weighted round robin).
 */
class MeshLoadBalancingTlsTest {

  // Generous: these tests start JVMs and run thousands of mTLS calls, on shared CI machines too.
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final String SKILL = "text.keywords";

  @TempDir Path tmp;

  private TestPki pki;
  private FakeRegistry registry = new FakeRegistry();
  private MeshServer registryServer;
  private MeshChannels client;
  private ManagedChannel registryChannel;
  private ManagedChannel skillChannel;
  private final List<AgentProcess> agents = new ArrayList<>();

  private String testName;

  @BeforeEach
  void setUp(TestInfo test) {
    testName = test.getTestMethod().orElseThrow().getName();
    pki = TestPki.create(tmp.resolve("pki"), "registry/registry", "agent/text", "client/test");
    registryServer = startRegistry(registry, 0);
    client = MeshChannels.create(tls("client/test"));
    registryChannel = client.forTarget("127.0.0.1:" + registryServer.port());
    skillChannel = client.withRegistry(registryChannel).forTarget("mesh:///skill/" + SKILL);
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    agents.forEach(AgentProcess::close);
    skillChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    registryChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    client.close();
    registryServer.shutdown();
  }

  @Test
  void calls_threeInstances_eachTakesTwentyToFortyFivePercent() throws Exception {
    startAgents(List.of("a", "b", "c"), Map.of());

    LoadRun run = LoadRun.start(skillChannel, SKILL, 8, 3000).await();

    assertThat(run.failures()).isEmpty();
    Map<String, Long> counts = run.countsByTag(c -> true);
    System.out.println("spread over 3,000 calls: " + counts);
    assertThat(counts.keySet()).containsExactly("a", "b", "c");
    assertThat(counts.values()).allSatisfy(n -> assertThat(n).isBetween(600L, 1350L));
  }

  @Test
  void calls_instanceKilledUnderLoad_inFlightCallsFailOverAndNoneFails() throws Exception {
    startAgents(List.of("a", "b", "c"), Map.of());
    AgentProcess victim = agents.get(0);

    long killedAt;
    LoadRun run = LoadRun.start(skillChannel, SKILL, 8, Integer.MAX_VALUE);
    try {
      await().atMost(WAIT).until(() -> run.calls().size() >= 500);
      killedAt = System.nanoTime();
      victim.kill();
      long settled = killedAt + TimeUnit.SECONDS.toNanos(2);
      await().atMost(WAIT).until(
          () -> run.calls().stream().filter(c -> c.startNanos() > settled).count() >= 500);
      run.stop();

      List<LoadRun.Call> failures = run.failures();
      long inFlightAtKill = failures.stream().filter(c -> c.startNanos() < killedAt).count();
      System.out.printf("kill -9: %d calls, %d failed (%d in flight at the kill, %d just after)%n",
          run.calls().size(), failures.size(), inFlightAtKill, failures.size() - inFlightAtKill);
      // The calls in flight on the dead instance fail UNAVAILABLE and the default service config
      // retries them on another instance; without that retry they (at most one per caller) and
      // the few sent before the reset arrived would be the only failures.
      assertThat(failures).isEmpty();
      assertThat(run.countsByTag(c -> c.startNanos() > settled).keySet())
          .containsExactly("b", "c");
    } finally {
      run.stop();
    }
  }

  @Test
  void calls_oneInstanceBusy_itGetsMeasurablyFewerCalls() throws Exception {
    startAgents(
        List.of("busy", "idle1", "idle2"),
        Map.of("busy", List.of("--utilization", "0.9"),
            "idle1", List.of("--utilization", "0.1"),
            "idle2", List.of("--utilization", "0.1")));

    LoadRun run = LoadRun.start(skillChannel, SKILL, 8, Integer.MAX_VALUE);
    try {
      // Weights start after a 2s blackout and follow the reports every second.
      long warm = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
      await().atMost(WAIT).until(
          () -> run.calls().stream().filter(c -> c.startNanos() > warm).count() >= 1500);
      run.stop();

      Map<String, Long> counts = run.countsByTag(c -> c.startNanos() > warm);
      System.out.println("busy vs idle: " + counts);
      assertThat(run.failures()).isEmpty();
      double idle = (counts.get("idle1") + counts.get("idle2")) / 2.0;
      assertThat(counts.get("busy")).isLessThan((long) (idle * 0.5));
    } finally {
      run.stop();
    }
  }

  @Test
  void calls_instanceTerminatedUnderLoad_noCallFailsAndItLeavesTheRegistryFirst()
      throws Exception {
    startAgents(List.of("a", "b", "c"), Map.of());
    AgentProcess victim = agents.get(0);
    String victimId = instanceAt(victim.port()).getInstanceId();

    LoadRun run = LoadRun.start(skillChannel, SKILL, 8, Integer.MAX_VALUE);
    try {
      await().atMost(WAIT).until(() -> run.calls().size() >= 500);
      victim.terminate();
      assertThat(victim.awaitExit(Duration.ofSeconds(20))).isTrue();
      long exited = System.nanoTime();
      await().atMost(WAIT).until(
          () -> run.calls().stream().filter(c -> c.startNanos() > exited).count() >= 500);
      run.stop();

      assertThat(run.failures()).isEmpty();
      assertThat(registry.calls())
          .anySatisfy(c -> {
            assertThat(c.method()).isEqualTo("DeregisterAgent");
            assertThat(c.instanceId()).isEqualTo(victimId);
          });
      assertThat(registry.instances()).doesNotContainKey(victimId);
      assertThat(run.countsByTag(c -> c.startNanos() > exited).keySet())
          .containsExactly("b", "c");
    } finally {
      run.stop();
    }
  }

  @Test
  void calls_registryRestarts_agentsRegisterAgainAndCallsNeverFail() throws Exception {
    startAgents(List.of("a", "b", "c"), Map.of());
    int port = registryServer.port();

    LoadRun run = LoadRun.start(skillChannel, SKILL, 4, Integer.MAX_VALUE);
    try {
      await().atMost(WAIT).until(() -> run.calls().size() >= 300);
      registryServer.shutdown();
      FakeRegistry fresh = new FakeRegistry(); // a restarted registry knows nothing
      registry = fresh;
      registryServer = startRegistry(fresh, port);
      await().atMost(WAIT).until(() -> fresh.instancesOf("text").size() == 3);
      long back = System.nanoTime();
      await().atMost(WAIT).until(
          () -> run.calls().stream().filter(c -> c.startNanos() > back).count() >= 600);
      run.stop();

      assertThat(run.failures()).isEmpty();
      assertThat(run.countsByTag(c -> c.startNanos() > back).keySet())
          .containsExactly("a", "b", "c");
    } finally {
      run.stop();
    }
  }

  @Test
  void invoke_overMtls_defaultPolicyAndSkillRestrictionsApply() {
    pki.issue("registry/other");
    MeshAgent agent =
        MeshAgent.builder()
            .name("text")
            .skill(SkillSpec.of("text.open", "Anyone the policy allows"),
                (ctx, input) -> List.of(Parts.text(ctx.caller().orElseThrow().kindAndName())))
            .skill(
                SkillSpec.builder("text.secret")
                    .description("Orchestrators only")
                    .allowCallers("orchestrator/*")
                    .build(),
                (ctx, input) -> List.of(Parts.text("secret")))
            .serverConfig(
                new ServerConfig("127.0.0.1", 0, Duration.ofSeconds(1), Optional.empty(),
                    tls("agent/text")))
            .registry("127.0.0.1:" + registryServer.port())
            .drainDelay(Duration.ZERO)
            .start();
    try {
      ManagedChannel direct = client.forTarget("127.0.0.1:" + agent.port());
      AgentServiceGrpc.AgentServiceBlockingStub stub =
          AgentServiceGrpc.newBlockingStub(direct).withDeadlineAfter(5, TimeUnit.SECONDS);

      assertThat(stub.invoke(InvokeRequest.newBuilder().setSkillId("text.open").build())
              .getOutput(0).getText())
          .isEqualTo("client/test");
      assertThatThrownBy(
              () -> stub.invoke(InvokeRequest.newBuilder().setSkillId("text.secret").build()))
          .hasMessage("PERMISSION_DENIED: client/test may not call skill 'text.secret'");

      try (MeshChannels other = MeshChannels.create(tls("registry/other"))) {
        ManagedChannel asRegistry = other.forTarget("127.0.0.1:" + agent.port());
        assertThatThrownBy(
                () ->
                    AgentServiceGrpc.newBlockingStub(asRegistry)
                        .withDeadlineAfter(5, TimeUnit.SECONDS)
                        .invoke(InvokeRequest.newBuilder().setSkillId("text.open").build()))
            .hasMessageStartingWith("PERMISSION_DENIED: registry/other may not call");
        asRegistry.shutdownNow();
      }
      direct.shutdownNow();
      await().atMost(WAIT).until(() -> registry.instancesOf("text").size() == 1);
    } finally {
      agent.shutdown();
    }
  }

  private void startAgents(List<String> tags, Map<String, List<String>> extra) {
    List<CompletableFuture<AgentProcess>> starting = new ArrayList<>();
    for (String tag : tags) {
      List<String> args =
          new ArrayList<>(
              List.of(
                  "--cert-dir", pki.dir().root().toString(),
                  "--registry", "127.0.0.1:" + registryServer.port(),
                  "--lease-ttl", "6s",
                  "--drain-delay", "500ms",
                  "--grace-period", "10s",
                  "--work", "2ms",
                  "--tag", tag));
      args.addAll(extra.getOrDefault(tag, List.of()));
      starting.add(
          CompletableFuture.supplyAsync(
              () ->
                  AgentProcess.start(
                      LoadTestAgent.class,
                      Path.of("target", "agent-logs", testName + "-" + tag + ".log"),
                      args)));
    }
    starting.forEach(f -> agents.add(f.join()));
    await().atMost(WAIT).until(() -> registry.instancesOf("text").size() == tags.size());
    // Until the client's resolver and health checks have all instances READY.
    Set<String> seen = new HashSet<>();
    AgentServiceGrpc.AgentServiceBlockingStub stub = AgentServiceGrpc.newBlockingStub(skillChannel);
    await().atMost(WAIT).until(() -> {
      seen.add(
          stub.withDeadlineAfter(5, TimeUnit.SECONDS)
              .withWaitForReady()
              .invoke(InvokeRequest.newBuilder().setSkillId(SKILL).build())
              .getOutput(0)
              .getText());
      return seen.size() == tags.size();
    });
  }

  private AgentInstance instanceAt(int port) {
    return registry.instancesOf("text").stream()
        .filter(i -> i.getEndpoint().getPort() == port)
        .findFirst()
        .orElseThrow();
  }

  private MeshServer startRegistry(FakeRegistry fake, int port) {
    return MeshServer.builder(
            new ServerConfig(
                "127.0.0.1", port, Duration.ofSeconds(1), Optional.empty(),
                tls("registry/registry")))
        .addService(fake)
        .policy(
            AuthorizationPolicy.builder()
                .allow(RegistryServiceGrpc.SERVICE_NAME + "/*", "agent/*", "client/*")
                .build())
        // Its watches never end on their own; a real registry ends them before draining too.
        .beforeShutdown(fake::breakWatches)
        .build()
        .start();
  }

  private TlsConfig tls(String kindAndName) {
    return new TlsConfig(
        false,
        pki.identity(kindAndName),
        pki.certFile(kindAndName),
        pki.keyFile(kindAndName),
        pki.caCert(),
        Duration.ofSeconds(30));
  }
}
