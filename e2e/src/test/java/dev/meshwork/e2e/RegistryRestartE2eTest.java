package dev.meshwork.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry keeps no state on disk: after a crash, agents find out on their next renewal
 * (NOT_FOUND) and register again. Real registry and agent processes, real grpcurl.
 */
class RegistryRestartE2eTest {

  private static final Duration LEASE_TTL = Duration.ofSeconds(6);
  private static final Duration RENEW_INTERVAL = LEASE_TTL.dividedBy(3);

  @TempDir Path tmp;

  private MeshProcess registry;
  private MeshProcess agent;
  private Process watch;

  @AfterEach
  void stop() throws Exception {
    if (watch != null) {
      watch.destroyForcibly();
    }
    if (agent != null) {
      agent.close();
    }
    if (registry != null) {
      registry.close();
    }
  }

  @Test
  void kill9_registryRestarted_agentRegistersAgainWithinARenewInterval() throws Exception {
    Path certs = tmp.resolve("certs");
    Meshctl.certsInit(certs, "e2e");
    Path logs = Tools.logDir("registry-restart");
    String address = "localhost:" + Meshctl.freePort();
    Grpcurl client = Grpcurl.as(certs, "client/e2e");
    registry =
        MeshProcess.start(
            "registry",
            Tools.jar("registry-service/target/meshwork-registry.jar"),
            logs,
            "--port", address.substring("localhost:".length()),
            "--cert-dir", certs.toString(),
            "--data-dir", tmp.toString());
    registry.awaitServing(client, address);
    agent =
        MeshProcess.start(
            "text-agent",
            Tools.jar("agents/text/target/meshwork-agent-text.jar"),
            logs,
            "--port", String.valueOf(Meshctl.freePort()),
            "--registry", address,
            "--lease-ttl", LEASE_TTL.toSeconds() + "s",
            "--cert-dir", certs.toString(),
            "--data-dir", tmp.toString());
    // An instance registered by hand with grpcurl, under its own agent identity.
    Exec.Result manual =
        Grpcurl.as(certs, "agent/report")
            .callWithBody(
                address,
                "{\"card\": {\"name\": \"report\", \"skills\": [{\"id\": \"report.render\"}]},"
                    + " \"endpoint\": {\"host\": \"127.0.0.1\", \"port\": 7999}, \"lease_ttl\": \"60s\"}",
                "meshwork.registry.v1.RegistryService/RegisterAgent");
    assertThat(manual.exitCode()).as(manual.output()).isZero();
    await().atMost(Duration.ofSeconds(60)).until(() -> listed(client, address, "text.keywords"));
    Path watchLog = tmp.resolve("watch.json");
    watch = startWatch(certs, address, watchLog);
    await().atMost(Duration.ofSeconds(20))
        .until(() -> Files.readString(watchLog).contains("WATCH_EVENT_TYPE_SYNCED"));

    registry.kill9();
    assertThat(watch.waitFor(20, TimeUnit.SECONDS)).as("watch ends when the registry dies").isTrue();
    assertThat(watch.exitValue()).isNotZero();
    registry.restart();
    registry.awaitServing(client, address);
    long restartedAt = System.nanoTime();

    await()
        .atMost(RENEW_INTERVAL.plusSeconds(5))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> listed(client, address, "text.keywords"));
    Duration healedIn = Duration.ofNanos(System.nanoTime() - restartedAt);

    // The hand-registered instance has no SDK behind it: it is gone, as soft state should be.
    assertThat(listed(client, address, "report.render")).isFalse();
    System.out.printf("registry restart healed in %d ms (renew interval %d ms)%n",
        healedIn.toMillis(), RENEW_INTERVAL.toMillis());
    assertThat(healedIn).isLessThanOrEqualTo(RENEW_INTERVAL.plusSeconds(5));
  }

  private static boolean listed(Grpcurl client, String address, String skill) throws Exception {
    Exec.Result result =
        client.callWithBody(
            address,
            "{\"filter\": {\"skill_id\": \"" + skill + "\"}}",
            "meshwork.registry.v1.RegistryService/ListAgentInstances");
    return result.exitCode() == 0 && result.stdout().contains("\"instance_id\"");
  }

  private static Process startWatch(Path certs, String address, Path log) throws Exception {
    return new ProcessBuilder(
            List.of(
                Tools.tool("grpcurl").toString(),
                "-cacert", certs.resolve("ca.crt").toString(),
                "-cert", certs.resolve("client/e2e.crt").toString(),
                "-key", certs.resolve("client/e2e.key").toString(),
                "-max-time", "120",
                "-d", "{}",
                address,
                "meshwork.registry.v1.RegistryService/WatchAgentInstances"))
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
  }
}
