package dev.meshwork.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An agent instance dies (kill -9) while it serves a step: the call is retried on the other
 * instance and the run completes. Real registry, orchestrator and Go agent processes.
 */
class AgentFailoverE2eTest {

  @TempDir Path tmp;

  private final List<AutoCloseable> processes = new ArrayList<>();
  private final Map<Integer, Process> agents = new HashMap<>();

  @AfterEach
  void stop() throws Exception {
    agents.values().forEach(Process::destroyForcibly);
    for (AutoCloseable p : processes) {
      p.close();
    }
  }

  @Test
  void kill9_instanceServingAStep_stepRetriedOnOtherInstanceAndRunCompletes() throws Exception {
    Path certs = tmp.resolve("certs");
    Meshctl.certsInit(certs, "e2e");
    Path logs = Tools.logDir("agent-failover");
    Grpcurl client = Grpcurl.as(certs, "client/e2e");
    String registry = "localhost:" + Meshctl.freePort();
    String orchestrator = "localhost:" + Meshctl.freePort();
    MeshProcess registryProcess =
        MeshProcess.start("registry", Tools.jar("registry-service/target/meshwork-registry.jar"),
            logs, "--port", port(registry), "--cert-dir", certs.toString(),
            "--data-dir", tmp.toString());
    processes.add(registryProcess);
    registryProcess.awaitServing(client, registry);
    MeshProcess orchestratorProcess =
        MeshProcess.start("orchestrator",
            Tools.jar("orchestrator-service/target/meshwork-orchestrator.jar"), logs,
            "--port", port(orchestrator), "--registry", registry, "--cert-dir", certs.toString(),
            "--data-dir", tmp.toString());
    processes.add(orchestratorProcess);
    orchestratorProcess.awaitServing(client, orchestrator);
    Path goEcho = Tools.goEcho();
    for (int i = 0; i < 2; i++) {
      int port = Meshctl.freePort();
      ProcessBuilder pb = new ProcessBuilder(goEcho.toString())
          .redirectErrorStream(true)
          .redirectOutput(logs.resolve("go-echo-" + port + ".log").toFile());
      pb.environment().putAll(Map.of(
          "MESHWORK_PORT", String.valueOf(port),
          "MESHWORK_REGISTRY", registry,
          "MESHWORK_CERT_DIR", certs.toString(),
          "MESHWORK_LEASE_TTL", "3s",
          "OTEL_SDK_DISABLED", "true"));
      agents.put(port, pb.start());
    }
    await().atMost(Duration.ofSeconds(60)).until(() -> instances(client, registry).size() == 2);
    Path workflow = tmp.resolve("slow.yaml");
    Files.writeString(workflow, String.join("\n",
        "name: failover",
        "timeout: 60s",
        "steps:",
        "  - id: work",
        "    skill: go.slow",
        "    input: {steps: 10, delay_ms: 800}",
        "    timeout: 20s",
        "    retry: {max_attempts: 3, initial_backoff: 0.2s, retryable_codes: [UNAVAILABLE]}",
        ""));

    Exec.Result started = meshctl(certs, orchestrator, "run", "start", "--file", workflow.toString());
    assertThat(started.exitCode()).as(started.output()).isZero();
    String runId = started.stdout().trim().lines().reduce((a, b) -> b).orElseThrow();
    // The instance serving the step reports it in its lease renewals (every TTL/3 = 1 s).
    int busyPort = await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
        .until(() -> busyInstance(client, registry), port -> port > 0);
    agents.remove(busyPort).destroyForcibly().waitFor(10, TimeUnit.SECONDS);

    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(
        () -> meshctl(certs, orchestrator, "run", "get", runId, "-o", "json").stdout(),
        json -> json.contains("RUN_STATE_COMPLETED") || json.contains("RUN_STATE_FAILED"));
    String run = meshctl(certs, orchestrator, "run", "get", runId, "-o", "json").stdout();
    assertThat(run).contains("\"state\": \"RUN_STATE_COMPLETED\"");
    // The call failed over to the survivor: by the mesh channel's own retry of UNAVAILABLE, or by
    // the step's retry policy if the channel had given up; either way the survivor served it.
    int survivor = agents.keySet().iterator().next();
    assertThat(run).contains("\"agent_instance\": \"127.0.0.1:" + survivor + "\"");
  }

  private static String port(String address) {
    return address.substring(address.indexOf(':') + 1);
  }

  private static Map<Integer, Integer> instances(Grpcurl client, String registry)
      throws Exception {
    Exec.Result list = client.callWithBody(registry, "{\"filter\": {\"agent_name\": \"go-echo\"}}",
        "meshwork.registry.v1.RegistryService/ListAgentInstances");
    Map<Integer, Integer> inFlightByPort = new HashMap<>();
    for (String instance : list.stdout().split("\"instance_id\"")) {
      Matcher port = Pattern.compile("\"port\": (\\d+)").matcher(instance);
      if (!port.find()) {
        continue;
      }
      Matcher inFlight = Pattern.compile("\"in_flight\": (\\d+)").matcher(instance);
      inFlightByPort.put(
          Integer.parseInt(port.group(1)), inFlight.find() ? Integer.parseInt(inFlight.group(1)) : 0);
    }
    return inFlightByPort;
  }

  private static int busyInstance(Grpcurl client, String registry) throws Exception {
    return instances(client, registry).entrySet().stream()
        .filter(e -> e.getValue() > 0)
        .map(Map.Entry::getKey)
        .findFirst()
        .orElse(0);
  }

  private static Exec.Result meshctl(Path certs, String orchestrator, String... args)
      throws Exception {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--orchestrator", orchestrator, "--cert-dir", certs.toString(),
        "--identity", "client/e2e"));
    return Meshctl.run(all.toArray(new String[0]));
  }
}
