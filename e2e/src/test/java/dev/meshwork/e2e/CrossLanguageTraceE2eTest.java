package dev.meshwork.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One trace across every hop and every language: real registry, orchestrator, Java text agent,
 * Python and Go agents and a real Jaeger. Runs {@code examples/cross-language.yaml}, fetches the
 * run's trace from Jaeger's query API and checks that each agent process's server span hangs under
 * the orchestrator's attempt span that called it; then a step whose first attempt times out shows
 * two attempt spans, the first with error status.
 */
class CrossLanguageTraceE2eTest {

  private static final String JAEGER = "http://127.0.0.1:16686";
  private static final Pattern TRACE_LINK = Pattern.compile("/trace/([0-9a-f]{32})");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @TempDir static Path tmp;

  private static final List<MeshProcess> processes = new ArrayList<>();
  private static Path certs;
  private static String registry;
  private static String orchestrator;

  @BeforeAll
  static void startMesh() throws Exception {
    Path root = Tools.root();
    Path logs = Tools.logDir("cross-language-trace");
    buildIfMissing(root.resolve("agents/python/.venv/bin/python"), "agents/python/build.sh");
    buildIfMissing(root.resolve("agents/go/bin/go-echo"), "agents/go/build.sh");
    startJaegerUnlessRunning(logs);

    certs = tmp.resolve("certs");
    Meshctl.certsInit(certs, "e2e");
    Grpcurl client = Grpcurl.as(certs, "client/e2e");
    int registryPort = Meshctl.freePort();
    registry = "localhost:" + registryPort;
    MeshProcess reg =
        java(
            "registry",
            "registry-service/target/meshwork-registry.jar",
            logs,
            "--port",
            String.valueOf(registryPort));
    reg.awaitServing(client, registry);

    int orchestratorPort = Meshctl.freePort();
    orchestrator = "localhost:" + orchestratorPort;
    MeshProcess orch =
        java(
            "orchestrator",
            "orchestrator-service/target/meshwork-orchestrator.jar",
            logs,
            "--port",
            String.valueOf(orchestratorPort),
            "--registry",
            registry);
    int textPort = Meshctl.freePort();
    MeshProcess text =
        java(
            "text",
            "agents/text/target/meshwork-agent-text.jar",
            logs,
            "--port",
            String.valueOf(textPort),
            "--registry",
            registry);
    int pyPort = Meshctl.freePort();
    MeshProcess py =
        foreignAgent(
            "py-echo",
            List.of(root.resolve("agents/python/.venv/bin/python").toString(), "-m", "py_echo"),
            root.resolve("agents/python"),
            pyPort,
            logs);
    int goPort = Meshctl.freePort();
    MeshProcess go =
        foreignAgent(
            "go-echo",
            List.of(root.resolve("agents/go/bin/go-echo").toString()),
            root.resolve("agents/go"),
            goPort,
            logs);
    orch.awaitServing(client, orchestrator);
    text.awaitServing(client, "localhost:" + textPort);
    py.awaitServing(client, "localhost:" + pyPort);
    go.awaitServing(client, "localhost:" + goPort);
  }

  @AfterAll
  static void stopMesh() throws Exception {
    for (int i = processes.size() - 1; i >= 0; i--) {
      processes.get(i).close();
    }
  }

  @Test
  void crossLanguageRun_inJaeger_agentServerSpansUnderTheirAttempts() throws Exception {
    String traceId =
        runToCompletion(
            Tools.root().resolve("examples/cross-language.yaml"),
            "{\"text\": \"Meshwork routes calls between agents. Agents register their skills."
                + " The orchestrator runs workflows across them.\"}");

    // The orchestrator's spans plus one server span per agent process.
    Trace trace =
        awaitTrace(
            traceId,
            t ->
                t.has("orchestrator", "run cross-language")
                    && t.serverSpansOf("text").size() >= 1
                    && t.serverSpansOf("go-echo").size() >= 1
                    && t.serverSpansOf("py-echo").size() >= 1);

    System.out.println("cross-language trace " + traceId + ": " + trace.summary());
    assertThat(trace.traceIds()).containsOnly(traceId);
    assertThat(trace.serviceNames()).contains("orchestrator", "text", "go-echo", "py-echo");
    assertThat(trace.named("step summary")).hasSize(1);
    for (String agent : List.of("text", "go-echo", "py-echo")) {
      for (JsonNode server : trace.serverSpansOf(agent)) {
        Optional<JsonNode> attempt = trace.ancestorNamedLike(server, "attempt ");
        assertThat(attempt)
            .as("the %s span %s has an attempt span above it", agent, server.path("operationName"))
            .isPresent();
        assertThat(trace.serviceOf(attempt.get())).isEqualTo("orchestrator");
        assertThat(trace.ancestorNamedLike(attempt.get(), "run ")).isPresent();
      }
    }
    assertThat(trace.ancestorNamedLike(trace.serverSpansOf("go-echo").get(0), "attempt "))
        .map(s -> s.path("operationName").asText())
        .contains("attempt 1 go.reverse");
  }

  @Test
  void retriedStep_inJaeger_twoAttemptSpansFirstWithError() throws Exception {
    // go.slow sleeps 3s, the step allows 0.5s: the first attempt times out, the second too; the
    // run continues past the failed step, so it completes (deterministically, no flaky agent).
    Path workflow = tmp.resolve("retry.yaml");
    Files.writeString(
        workflow,
        """
        name: e2e-retry
        timeout: 30s
        steps:
          - id: slow
            skill: go.slow
            input: {steps: 1, delay_ms: 3000}
            timeout: 0.5s
            retry: {max_attempts: 2, initial_backoff: 0.1s, retryable_codes: [DEADLINE_EXCEEDED]}
            on_failure: FAILURE_ACTION_CONTINUE
          - id: after
            skill: py.echo
            depends_on: [slow]
            input: done
        """);
    String traceId = runToCompletion(workflow, "{}");

    Trace trace =
        awaitTrace(
            traceId,
            t ->
                t.has("orchestrator", "attempt 1 go.slow")
                    && t.has("orchestrator", "attempt 2 go.slow")
                    && t.has("orchestrator", "run e2e-retry"));

    System.out.println("retry trace " + traceId + ": " + trace.summary());
    JsonNode first = trace.named("attempt 1 go.slow").get(0);
    JsonNode second = trace.named("attempt 2 go.slow").get(0);
    JsonNode step = trace.named("step slow").get(0);
    assertThat(trace.parentOf(first)).map(Trace::id).contains(Trace.id(step));
    assertThat(trace.parentOf(second)).map(Trace::id).contains(Trace.id(step));
    assertThat(Trace.isError(first)).as("first attempt has error status: %s", first).isTrue();
    assertThat(trace.traceIds()).containsOnly(traceId);
  }

  // ------------------------------------------------------------------ running

  /** Starts a run with meshctl, waits for it to complete and returns its trace id. */
  private static String runToCompletion(Path workflow, String input) throws Exception {
    // The orchestrator checks skills against the registry: retry until the agents registered.
    String[] runId = new String[1];
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () -> {
              Exec.Result start =
                  Meshctl.run(
                      withConnection(
                          "run",
                          "start",
                          "--file",
                          workflow.toString(),
                          "--input",
                          input,
                          "--wait"));
              assertThat(start.exitCode()).as(start.output()).isZero();
              runId[0] = start.stdout().lines().findFirst().orElseThrow().trim();
            });
    Exec.Result get = Meshctl.run(withConnection("run", "get", runId[0]));
    assertThat(get.exitCode()).as(get.output()).isZero();
    Matcher link = TRACE_LINK.matcher(get.stdout());
    assertThat(link.find()).as("trace link in `meshctl run get`: %s", get.stdout()).isTrue();
    return link.group(1);
  }

  private static String[] withConnection(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(
        List.of(
            "--orchestrator",
            orchestrator,
            "--registry",
            registry,
            "--cert-dir",
            certs.toString(),
            "--identity",
            "client/e2e"));
    return all.toArray(String[]::new);
  }

  private static Trace awaitTrace(String traceId, Predicate<Trace> complete) {
    Trace[] last = new Trace[1];
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .alias("trace " + traceId + " complete in Jaeger")
        .until(
            () -> {
              last[0] = fetchTrace(traceId);
              return last[0] != null && complete.test(last[0]);
            });
    return last[0];
  }

  private static Trace fetchTrace(String traceId) throws IOException, InterruptedException {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(JAEGER + "/api/traces/" + traceId))
                .timeout(Duration.ofSeconds(5))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      return null; // 404 until the first span arrives
    }
    JsonNode data = JSON.readTree(response.body()).path("data");
    return data.isArray() && !data.isEmpty() ? new Trace(data.get(0)) : null;
  }

  // ------------------------------------------------------------------ processes

  private static MeshProcess java(String name, String jar, Path logs, String... args)
      throws IOException {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--cert-dir", certs.toString(), "--data-dir", tmp.resolve(name).toString()));
    MeshProcess p = MeshProcess.start(name, Tools.jar(jar), logs, all.toArray(String[]::new));
    processes.add(p);
    return p;
  }

  private static MeshProcess foreignAgent(
      String name, List<String> command, Path workDir, int port, Path logs) throws IOException {
    // The same environment ./mesh gives the Python and Go agents.
    Map<String, String> env = new HashMap<>();
    env.put("MESHWORK_PORT", String.valueOf(port));
    env.put("MESHWORK_IDENTITY", "agent/" + name);
    env.put("MESHWORK_CERT_DIR", certs.toString());
    env.put("MESHWORK_REGISTRY", registry);
    MeshProcess p = MeshProcess.exec(name, command, env, workDir, logs);
    processes.add(p);
    return p;
  }

  private static void buildIfMissing(Path artifact, String script) throws Exception {
    if (Files.exists(artifact)) {
      return;
    }
    Exec.Result build =
        Exec.run(List.of(Tools.root().resolve(script).toString()), Map.of(), Tools.root());
    assertThat(build.exitCode()).as(script + ": " + build.output()).isZero();
  }

  /** Reuses a Jaeger already on 127.0.0.1:16686 (its ports are fixed), else starts one. */
  private static void startJaegerUnlessRunning(Path logs) throws Exception {
    if (jaegerAnswers()) {
      return;
    }
    Path config = Tools.root().resolve("deploy/jaeger/config.yaml");
    processes.add(
        MeshProcess.exec(
            "jaeger",
            List.of(Tools.tool("jaeger").toString(), "--config", "file:" + config),
            Map.of(),
            null,
            logs));
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(300))
        .until(CrossLanguageTraceE2eTest::jaegerAnswers);
  }

  private static boolean jaegerAnswers() {
    try {
      return HTTP.send(
                  HttpRequest.newBuilder(URI.create(JAEGER + "/api/services"))
                      .timeout(Duration.ofSeconds(2))
                      .build(),
                  HttpResponse.BodyHandlers.discarding())
              .statusCode()
          == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** A trace as Jaeger's query API returns it: spans, their references and processes. */
  private static final class Trace {
    private final List<JsonNode> spans = new ArrayList<>();
    private final Map<String, JsonNode> byId = new HashMap<>();
    private final Map<String, String> services = new HashMap<>();

    Trace(JsonNode trace) {
      trace.path("spans").forEach(spans::add);
      spans.forEach(s -> byId.put(id(s), s));
      trace
          .path("processes")
          .fields()
          .forEachRemaining(
              e -> services.put(e.getKey(), e.getValue().path("serviceName").asText()));
    }

    /** Span count per service and the orchestrator's span names, for the test log. */
    String summary() {
      Map<String, Long> perService = new TreeMap<>();
      spans.forEach(s -> perService.merge(serviceOf(s), 1L, Long::sum));
      List<String> orchestratorSpans =
          spans.stream()
              .filter(s -> serviceOf(s).equals("orchestrator"))
              .map(s -> s.path("operationName").asText() + (isError(s) ? " (ERROR)" : ""))
              .sorted()
              .toList();
      return spans.size() + " spans " + perService + "; orchestrator: " + orchestratorSpans;
    }

    static String id(JsonNode span) {
      return span.path("spanID").asText();
    }

    List<String> traceIds() {
      return spans.stream().map(s -> s.path("traceID").asText()).distinct().toList();
    }

    List<String> serviceNames() {
      return spans.stream().map(this::serviceOf).distinct().toList();
    }

    String serviceOf(JsonNode span) {
      return services.getOrDefault(span.path("processID").asText(), "");
    }

    List<JsonNode> named(String name) {
      return spans.stream().filter(s -> s.path("operationName").asText().equals(name)).toList();
    }

    boolean has(String service, String name) {
      return named(name).stream().anyMatch(s -> serviceOf(s).equals(service));
    }

    List<JsonNode> serverSpansOf(String service) {
      return spans.stream()
          .filter(s -> serviceOf(s).equals(service) && "server".equals(tag(s, "span.kind")))
          .toList();
    }

    Optional<JsonNode> parentOf(JsonNode span) {
      for (JsonNode ref : span.path("references")) {
        if ("CHILD_OF".equals(ref.path("refType").asText())) {
          return Optional.ofNullable(byId.get(ref.path("spanID").asText()));
        }
      }
      return Optional.empty();
    }

    /** The nearest ancestor whose name starts with {@code prefix}. */
    Optional<JsonNode> ancestorNamedLike(JsonNode span, String prefix) {
      Optional<JsonNode> parent = parentOf(span);
      while (parent.isPresent()) {
        if (parent.get().path("operationName").asText().startsWith(prefix)) {
          return parent;
        }
        parent = parentOf(parent.get());
      }
      return Optional.empty();
    }

    static boolean isError(JsonNode span) {
      return "ERROR".equals(tag(span, "otel.status_code")) || "true".equals(tag(span, "error"));
    }

    static String tag(JsonNode span, String key) {
      for (JsonNode tag : span.path("tags")) {
        if (key.equals(tag.path("key").asText())) {
          return tag.path("value").asText();
        }
      }
      return null;
    }
  }
}
