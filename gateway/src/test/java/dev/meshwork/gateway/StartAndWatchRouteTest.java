package dev.meshwork.gateway;

import static dev.meshwork.gateway.testing.GatewayFixture.ADMIN_KEY;
import static dev.meshwork.gateway.testing.GatewayFixture.READER_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import dev.meshwork.api.orchestrator.v1.StartRunRequest;
import dev.meshwork.gateway.testing.GatewayFixture;
import dev.meshwork.gateway.testing.SseClient;
import dev.meshwork.gateway.testing.SseClient.Event;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code POST /v1/runs:stream} (StartAndWatchRun): a run started and followed to its end in one
 * request, as server-sent events; its body is a StartRunRequest, checked as strictly as {@code POST
 * /v1/runs}'s, and every refusal is a plain JSON error that started nothing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StartAndWatchRouteTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PATH = "/v1/runs:stream";

  private GatewayFixture gw;

  /** StartRun requests the orchestrator had received before the test. */
  private int startedBefore;

  @BeforeAll
  void start(@TempDir Path dir) {
    gw = GatewayFixture.start(dir);
  }

  @BeforeEach
  void mark() {
    startedBefore = gw.orchestrator.started().size();
  }

  @AfterAll
  void stop() throws Exception {
    gw.close();
  }

  @Test
  void startAndWatch_validBody_startedRunThenEventsWithSequenceIdsThenEnd() throws Exception {
    try (SseClient sse =
        post(
            ADMIN_KEY,
            "{\"workflowName\":\"summarize\",\"input\":{\"text\":\"hi\"},"
                + "\"labels\":{\"team\":\"a\"}}")) {
      ResponseHeaders headers = sse.headers();
      List<Event> events = sse.next(5);
      sse.awaitEnd();

      assertThat(headers.status().code()).isEqualTo(200);
      assertThat(headers.contentType().is(MediaType.EVENT_STREAM)).isTrue();
      assertThat(events)
          .extracting(Event::type)
          .containsExactly(
              "started",
              "RUN_EVENT_TYPE_RUN_SUBMITTED",
              "RUN_EVENT_TYPE_RUN_STARTED",
              "RUN_EVENT_TYPE_RUN_COMPLETED",
              "end");
      // The started message has no id: a reconnect must not resume from it.
      assertThat(events).extracting(Event::id).containsExactly(null, "1", "2", "3", null);
      JsonNode started = JSON.readTree(events.get(0).data());
      String runId = started.at("/started/run/runId").asText();
      assertThat(runId).startsWith("run-");
      assertThat(started.at("/started/run/labels/team").asText()).isEqualTo("a");
      assertThat(JSON.readTree(events.get(3).data()).at("/event/runId").asText()).isEqualTo(runId);
    }
    assertThat(startedSince())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.getWorkflowName()).isEqualTo("summarize");
              assertThat(r.getInput().getFieldsOrThrow("text").getStringValue()).isEqualTo("hi");
            });
  }

  /** Bodies refused at the gateway: the field named, the reason, and no call upstream. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          unknown field | {"workflowName":"x","bogus":1} | bogus | INVALID_ARGUMENT
          wrong type deep inside, path relative to the body \
            | {"workflow":{"name":"w","steps":[{"id":"a","retry":{"maxAttempts":"lots"}}]}} \
            | workflow.steps[0].retry.max_attempts | INVALID_ARGUMENT
          malformed JSON | {"workflowName": | body | MALFORMED_JSON
          """)
  void startAndWatch_badBody_returns400NamingTheFieldAndStartsNothing(
      String what, String body, String field, String reason) throws Exception {
    JsonNode error = error(post(ADMIN_KEY, body), 400);

    assertThat(error.get("code").asText()).isEqualTo("INVALID_ARGUMENT");
    assertThat(error.get("reason").asText()).isEqualTo(reason);
    assertThat(error.at("/fieldViolations/0/field").asText()).isEqualTo(field);
    assertThat(startedSince()).isEmpty();
  }

  @Test
  void startAndWatch_formEncodedBody_returns415AndStartsNothing() throws Exception {
    SseClient sse =
        SseClient.open(
            gw.client(),
            GatewayFixture.headers(HttpMethod.POST, PATH, ADMIN_KEY)
                .contentType(MediaType.FORM_DATA)
                .build(),
            "{\"workflowName\":\"w\"}");

    JsonNode error = error(sse, 415);

    assertThat(error.get("reason").asText()).isEqualTo("UNSUPPORTED_MEDIA_TYPE");
    assertThat(error.get("message").asText()).contains("application/json");
    assertThat(startedSince()).isEmpty();
  }

  @Test
  void startAndWatch_upstreamRefuses_returns400WithItsViolationsNotAStream() throws Exception {
    JsonNode error = error(post(ADMIN_KEY, "{}"), 400);

    assertThat(error.at("/fieldViolations/0/field").asText()).isEqualTo("workflow");
    assertThat(error.at("/fieldViolations/0/description").asText()).contains("required");
  }

  @Test
  void startAndWatch_bodyOverOneMebibyte_returns413() throws Exception {
    String big = "{\"workflowName\":\"" + "x".repeat(1 << 20) + "\"}";

    JsonNode error = error(post(ADMIN_KEY, big), 413);

    assertThat(error.get("reason").asText()).isEqualTo("REQUEST_TOO_LARGE");
    assertThat(startedSince()).isEmpty();
  }

  @Test
  void startAndWatch_afterParameter_returns400CannotResume() throws Exception {
    try (SseClient sse = open(PATH + "?after=2", ADMIN_KEY, "{\"workflowName\":\"w\"}")) {
      JsonNode error = error(sse, 400);

      assertThat(error.at("/fieldViolations/0/field").asText()).isEqualTo("after");
    }
    assertThat(startedSince()).isEmpty();
  }

  @Test
  void startAndWatch_withoutKey_returns401_readOnlyKey_returns403() throws Exception {
    assertThat(error(post(null, "{\"workflowName\":\"w\"}"), 401).get("reason").asText())
        .isEqualTo("API_KEY_MISSING");
    assertThat(error(post(READER_KEY, "{\"workflowName\":\"w\"}"), 403).get("code").asText())
        .isEqualTo("PERMISSION_DENIED");
    assertThat(startedSince()).isEmpty();
  }

  @Test
  void startAndWatch_clientGoesAway_cancelsTheUpstreamCall() throws Exception {
    int cancelledBefore = gw.orchestrator.slowCancelled();
    SseClient sse = post(ADMIN_KEY, "{\"workflowName\":\"slow\"}");
    assertThat(sse.next().type()).isEqualTo("started");

    sse.close();

    await().until(() -> gw.orchestrator.slowCancelled() == cancelledBefore + 1);
  }

  /** The StartRun requests the orchestrator received during the test. */
  private List<StartRunRequest> startedSince() {
    List<StartRunRequest> all = gw.orchestrator.started();
    return all.subList(startedBefore, all.size());
  }

  @Test
  void startAndWatch_explicitDeadlinePasses_errorEventAndUpstreamCancelled() throws Exception {
    int cancelledBefore = gw.orchestrator.slowCancelled();
    try (SseClient sse =
        SseClient.open(
            gw.client(),
            GatewayFixture.headers(HttpMethod.POST, PATH, ADMIN_KEY)
                .contentType(MediaType.JSON_UTF_8)
                .set("x-request-timeout", "300ms")
                .build(),
            "{\"workflowName\":\"slow\"}")) {
      assertThat(sse.next().type()).isEqualTo("started");
      Event error = sse.next();
      sse.awaitEnd();

      assertThat(error.type()).isEqualTo("error");
      assertThat(JSON.readTree(error.data()).get("code").asText()).isEqualTo("DEADLINE_EXCEEDED");
    }
    await().until(() -> gw.orchestrator.slowCancelled() == cancelledBefore + 1);
  }

  private SseClient post(String key, String body) {
    return open(PATH, key, body);
  }

  private SseClient open(String path, String key, String body) {
    return SseClient.open(
        gw.client(),
        GatewayFixture.headers(HttpMethod.POST, path, key)
            .contentType(MediaType.JSON_UTF_8)
            .set("accept", "text/event-stream")
            .build(),
        body);
  }

  /** The JSON error body of a response that must be {@code status}, not a stream. */
  private static JsonNode error(SseClient sse, int status) throws Exception {
    try (sse) {
      ResponseHeaders headers = sse.headers();
      sse.awaitEnd();
      assertThat(headers.status().code()).isEqualTo(status);
      assertThat(headers.contentType().is(MediaType.JSON)).isTrue();
      return JSON.readTree(sse.body());
    }
  }
}
