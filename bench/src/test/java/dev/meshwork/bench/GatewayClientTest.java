package dev.meshwork.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link GatewayClient} against a stand-in gateway: plain HTTP/1.1 from the JDK's server. */
class GatewayClientTest {

  private static final String KEY = "test-key";
  private static final String COMPLETED =
      """
      retry: 2000

      : heartbeat
      id: 1
      event: RUN_EVENT_TYPE_RUN_SUBMITTED
      data: {"event":{"runId":"r-1","sequence":"1"}}

      id: 4
      event: RUN_EVENT_TYPE_RUN_COMPLETED
      data: {"event":{"runId":"r-1","sequence":"4","time":"2026-11-24T03:00:00.004250Z"}}

      event: end
      data: {}

      """;

  private static final String STARTED_RUN =
      "{\"run\":{\"runId\":\"r-1\",\"createTime\":\"2026-11-24T03:00:00.001Z\"}}";

  private HttpServer server;
  private HttpTransport http;
  private GatewayClient client;
  private final Map<String, String> authorization = new ConcurrentHashMap<>();
  private volatile int startStatus = 200;
  private volatile String events = COMPLETED;

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/v1/runs",
        exchange -> {
          String path = exchange.getRequestURI().getPath();
          authorization.put(
              exchange.getRequestMethod() + " " + path,
              String.valueOf(exchange.getRequestHeaders().getFirst("authorization")));
          exchange.getRequestBody().readAllBytes();
          if (path.equals("/v1/runs")) {
            respond(exchange, startStatus, "application/json", STARTED_RUN);
          } else if (path.equals("/v1/runs/r-1/events")) {
            respond(exchange, 200, "text/event-stream", events);
          } else if (path.equals("/v1/runs:stream")) {
            String started = "event: started\ndata: {\"started\":" + STARTED_RUN + "}\n\n";
            respond(exchange, startStatus, "text/event-stream", started + events);
          } else if (path.equals("/v1/runs/r-1")) {
            respond(exchange, 200, "application/json", "{\"run\":{\"runId\":\"r-1\"}}");
          } else {
            respond(exchange, 404, "application/json", "{\"code\":\"NOT_FOUND\"}");
          }
        });
    server.start();
  }

  /** The client over {@code transport}: each test runs over the JDK's client and Armeria's. */
  private void use(String transport) {
    int port = server.getAddress().getPort();
    http =
        transport.equals("jdk")
            ? new JdkHttpTransport(
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build(),
                URI.create("http://127.0.0.1:" + port))
            : ArmeriaHttpTransport.cleartext(URI.create("h1c://127.0.0.1:" + port));
    client = new GatewayClient(http, KEY);
  }

  @AfterEach
  void stop() {
    if (http != null) {
      http.close();
    }
    server.stop(0);
  }

  private static void respond(HttpExchange exchange, int status, String type, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("content-type", type);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private RunDriver.Kind run() throws Exception {
    return runOutcome().kind();
  }

  private RunDriver.Outcome runOutcome() throws Exception {
    CompletableFuture<RunDriver.Outcome> outcome = new CompletableFuture<>();
    client.run("{\"workflowName\":\"w\"}", outcome::complete);
    return outcome.get(10, TimeUnit.SECONDS);
  }

  private RunDriver.Outcome runStream() throws Exception {
    CompletableFuture<RunDriver.Outcome> outcome = new CompletableFuture<>();
    client.runStream("{\"workflowName\":\"w\"}", outcome::complete);
    return outcome.get(10, TimeUnit.SECONDS);
  }

  @ParameterizedTest
  @ValueSource(strings = {"jdk", "armeria"})
  void run_terminalCompletedEvent_completedWithKeyOnBothRequests(String transport)
      throws Exception {
    use(transport);
    assertThat(run()).isEqualTo(RunDriver.Kind.COMPLETED);

    assertThat(authorization)
        .containsEntry("POST /v1/runs", "Bearer " + KEY)
        .containsEntry("GET /v1/runs/r-1/events", "Bearer " + KEY);
  }

  @ParameterizedTest
  @ValueSource(strings = {"jdk", "armeria"})
  void run_createAndTerminalTimes_serverTimeIsTheirDifference(String transport) throws Exception {
    use(transport);
    RunDriver.Outcome outcome = runOutcome();

    assertThat(outcome.serverNanos()).isEqualTo(3_250_000);
    assertThat(outcome.clientNanos()).isPositive();
  }

  @ParameterizedTest
  @ValueSource(strings = {"jdk", "armeria"})
  void run_terminalEventWithoutTime_serverTimeZero(String transport) throws Exception {
    use(transport);
    events = "event: RUN_EVENT_TYPE_RUN_COMPLETED\ndata: {\"event\":{}}\n\n";

    RunDriver.Outcome outcome = runOutcome();

    assertThat(outcome.kind()).isEqualTo(RunDriver.Kind.COMPLETED);
    assertThat(outcome.serverNanos()).isZero();
  }

  @ParameterizedTest
  @ValueSource(strings = {"jdk", "armeria"})
  void runStream_startedThenCompleted_completedWithServerTimeFromStartedEvent(String transport)
      throws Exception {
    use(transport);
    RunDriver.Outcome outcome = runStream();

    assertThat(outcome.kind()).isEqualTo(RunDriver.Kind.COMPLETED);
    assertThat(outcome.serverNanos()).isEqualTo(3_250_000);
    assertThat(authorization).containsOnlyKeys("POST /v1/runs:stream");
  }

  @ParameterizedTest
  @ValueSource(strings = {"jdk", "armeria"})
  void runStream_answers429_rejected(String transport) throws Exception {
    use(transport);
    startStatus = 429;

    assertThat(runStream().kind()).isEqualTo(RunDriver.Kind.REJECTED);
  }

  @ParameterizedTest
  @ValueSource(strings = {"jdk", "armeria"})
  void run_runFailedEvent_failed(String transport) throws Exception {
    use(transport);
    events = "event: RUN_EVENT_TYPE_RUN_FAILED\ndata: {}\n\nevent: end\ndata: {}\n\n";

    assertThat(run()).isEqualTo(RunDriver.Kind.FAILED);
  }

  @ParameterizedTest
  @ValueSource(strings = {"jdk", "armeria"})
  void run_streamEndsWithoutTerminalEvent_failed(String transport) throws Exception {
    use(transport);
    events = "event: RUN_EVENT_TYPE_RUN_STARTED\ndata: {}\n\n";

    assertThat(run()).isEqualTo(RunDriver.Kind.FAILED);
  }

  @ParameterizedTest
  @ValueSource(strings = {"jdk", "armeria"})
  void run_startAnswers429_rejected(String transport) throws Exception {
    use(transport);
    startStatus = 429;

    assertThat(run()).isEqualTo(RunDriver.Kind.REJECTED);
    assertThat(authorization).containsOnlyKeys("POST /v1/runs");
  }

  @ParameterizedTest
  @ValueSource(strings = {"jdk", "armeria"})
  void run_startAnswers500_failed(String transport) throws Exception {
    use(transport);
    startStatus = 500;

    assertThat(run()).isEqualTo(RunDriver.Kind.FAILED);
  }

  @ParameterizedTest
  @ValueSource(strings = {"jdk", "armeria"})
  void getRun_knownAndUnknownRun_okOnlyFor200(String transport) throws Exception {
    use(transport);
    List<CompletableFuture<Boolean>> outcomes =
        List.of(new CompletableFuture<>(), new CompletableFuture<>());

    client.getRun("r-1", outcomes.get(0)::complete);
    client.getRun("r-2", outcomes.get(1)::complete);

    assertThat(outcomes.get(0).get(10, TimeUnit.SECONDS)).isTrue();
    assertThat(outcomes.get(1).get(10, TimeUnit.SECONDS)).isFalse();
  }
}
