package dev.meshwork.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meshwork.agent.testing.AgentProcess;
import dev.meshwork.agent.testing.LoadRun;
import dev.meshwork.api.agent.v1.AgentServiceGrpc;
import dev.meshwork.api.agent.v1.InvokeRequest;
import dev.meshwork.api.registry.v1.InstanceFilter;
import dev.meshwork.api.registry.v1.ListAgentInstancesRequest;
import dev.meshwork.api.registry.v1.RegistryServiceGrpc;
import dev.meshwork.core.MeshChannels;
import dev.meshwork.core.ServerConfig;
import dev.meshwork.core.TlsConfig;
import dev.meshwork.core.testing.TestPki;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SDK and the mesh resolver against the real registry ({@code registry-service}'s runnable
 * jar, run as its own process over mTLS). Skipped when that jar has not been built.
 */
@EnabledIf("registryJarBuilt")
class RealRegistryIntegrationTest {

  private static final Path JAR = Path.of("..", "..", "registry-service", "target",
      "meshwork-registry.jar");
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String SKILL = "text.keywords";

  @TempDir Path tmp;

  private final List<MeshAgent> agents = new ArrayList<>();
  private final List<AgentProcess> processes = new ArrayList<>();

  static boolean registryJarBuilt() {
    return Files.isRegularFile(JAR);
  }

  @AfterEach
  void tearDown() {
    agents.forEach(MeshAgent::abort);
    processes.forEach(AgentProcess::close);
  }

  @Test
  void mesh_realRegistry_routesToLiveAgentsThroughDrainAndRegistryRestart() throws Exception {
    TestPki pki = TestPki.create(tmp.resolve("pki"), "registry/registry", "agent/text",
        "client/test");
    int registryPort = AgentProcess.freePort();
    List<String> registryArgs =
        List.of("--cert-dir", pki.dir().root().toString(), "--port", String.valueOf(registryPort),
            "--grace-period", "1s");
    Path log = Path.of("target", "agent-logs", "real-registry.log");
    processes.add(AgentProcess.startJar(JAR, log, registryArgs, registryPort));
    MeshAgent first = startAgent(pki, registryPort);
    MeshAgent second = startAgent(pki, registryPort);
    try (MeshChannels client = MeshChannels.create(tls(pki, "client/test"))) {
      ManagedChannel registryChannel = client.forTarget("127.0.0.1:" + registryPort);
      ManagedChannel skill =
          client.withRegistry(registryChannel).forTarget("mesh:///skill/" + SKILL);
      awaitAnswersFrom(skill, Set.of(first.port(), second.port()));

      LoadRun run = LoadRun.start(skill, SKILL, 2, Integer.MAX_VALUE);
      try {
        first.shutdown(); // deregister, NOT_SERVING, drain
        long drained = System.nanoTime();
        await().atMost(WAIT).until(() -> startedAfter(run, drained) >= 100);
        assertThat(run.countsByTag(c -> c.startNanos() > drained).keySet())
            .containsExactly(String.valueOf(second.port()));

        processes.get(0).kill(); // the registry dies; its state is gone
        assertThat(processes.get(0).awaitExit(Duration.ofSeconds(10))).isTrue();
        Path restartedLog = Path.of("target", "agent-logs", "real-registry-restarted.log");
        processes.set(0, AgentProcess.startJar(JAR, restartedLog, registryArgs, registryPort));
        await().atMost(WAIT).ignoreExceptions()
            .until(() -> registeredPorts(registryChannel).equals(Set.of(second.port())));
        long back = System.nanoTime();
        await().atMost(WAIT).until(() -> startedAfter(run, back) >= 100);
        run.stop();

        assertThat(run.failures()).isEmpty();
      } finally {
        run.stop();
        skill.shutdownNow();
        registryChannel.shutdownNow();
      }
    }
  }

  private MeshAgent startAgent(TestPki pki, int registryPort) {
    int[] port = new int[1];
    MeshAgent agent =
        MeshAgent.builder()
            .name("text")
            .skill(SkillSpec.of(SKILL, "Answers with the instance's port"),
                (ctx, input) -> List.of(Parts.text(String.valueOf(port[0]))))
            .serverConfig(
                new ServerConfig("127.0.0.1", 0, Duration.ofSeconds(5), Optional.empty(),
                    tls(pki, "agent/text")))
            .registry("127.0.0.1:" + registryPort)
            .leaseTtl(Duration.ofSeconds(3))
            .drainDelay(Duration.ofMillis(500))
            .start();
    port[0] = agent.port();
    agents.add(agent);
    return agent;
  }

  private static void awaitAnswersFrom(ManagedChannel skill, Set<Integer> ports) {
    Set<Integer> seen = new HashSet<>();
    AgentServiceGrpc.AgentServiceBlockingStub stub = AgentServiceGrpc.newBlockingStub(skill);
    // A call that times out while the instances are still registering is retried, not fatal.
    await().atMost(WAIT).ignoreExceptionsInstanceOf(StatusRuntimeException.class).until(() -> {
      seen.add(Integer.parseInt(
          stub.withDeadlineAfter(5, TimeUnit.SECONDS).withWaitForReady()
              .invoke(InvokeRequest.newBuilder().setSkillId(SKILL).build())
              .getOutput(0).getText()));
      return seen.equals(ports);
    });
  }

  private static Set<Integer> registeredPorts(ManagedChannel registryChannel) {
    Set<Integer> ports = new HashSet<>();
    RegistryServiceGrpc.newBlockingStub(registryChannel)
        .withDeadlineAfter(5, TimeUnit.SECONDS)
        .withWaitForReady()
        .listAgentInstances(
            ListAgentInstancesRequest.newBuilder()
                .setFilter(InstanceFilter.newBuilder().setSkillId(SKILL))
                .build())
        .getInstancesList()
        .forEach(i -> ports.add(i.getEndpoint().getPort()));
    return ports;
  }

  private static long startedAfter(LoadRun run, long nanos) {
    return run.calls().stream().filter(c -> c.startNanos() > nanos).count();
  }

  private static TlsConfig tls(TestPki pki, String kindAndName) {
    return new TlsConfig(false, pki.identity(kindAndName), pki.certFile(kindAndName),
        pki.keyFile(kindAndName), pki.caCert(), Duration.ofSeconds(30));
  }
}
