package dev.meshwork.gateway;

import static dev.meshwork.gateway.TranscodedRoutesTest.error;
import static dev.meshwork.gateway.testing.GatewayFixture.ADMIN_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpResponse;
import dev.meshwork.api.orchestrator.v1.Run;
import dev.meshwork.api.orchestrator.v1.RunEventType;
import dev.meshwork.gateway.testing.GatewayFixture;
import dev.meshwork.gateway.testing.SseClient;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The caps on what the gateway serves at once: past them a request gets 503 with {@code
 * Retry-After} at once, never reaches the mesh, and the slots come back when requests end,
 * however they end.
 */
class OverloadTest {

  private GatewayFixture gw;

  @BeforeEach
  void start(@TempDir Path dir) {
    gw = GatewayFixture.start(dir, b -> b.maxInFlight(2).maxStreams(1));
    gw.orchestrator.put(Run.newBuilder().setRunId("r1").build());
  }

  @AfterEach
  void stop() throws Exception {
    gw.close();
  }

  @Test
  void request_pastMaxInFlight_gets503WithRetryAfterAndNoUpstreamCall() throws Exception {
    List<HttpResponse> held = List.of(holdSlot(), holdSlot());
    await().until(() -> gw.orchestrator.slowStarted() == 2);
    int upstreamCalls = gw.orchestrator.deadlines().size();

    AggregatedHttpResponse refused = gw.get("/v1/runs/r1", ADMIN_KEY);

    JsonNode body = error(refused, 503);
    assertThat(body.get("code").asText()).isEqualTo("UNAVAILABLE");
    assertThat(body.get("reason").asText()).isEqualTo("GATEWAY_OVERLOADED");
    assertThat(body.get("message").asText()).contains("2 requests");
    assertThat(refused.headers().get("retry-after")).isEqualTo("1");
    assertThat(gw.orchestrator.deadlines()).hasSize(upstreamCalls);
    held.forEach(HttpResponse::abort);
  }

  @Test
  void slots_clientsThatGiveUp_areFreedAndTheirCallsCancelled() throws Exception {
    List<HttpResponse> held = List.of(holdSlot(), holdSlot());
    await().until(() -> gw.orchestrator.slowStarted() == 2);
    assertThat(gw.get("/v1/runs/r1", ADMIN_KEY).status().code()).isEqualTo(503);

    held.forEach(HttpResponse::abort);

    await().until(() -> gw.orchestrator.slowCancelled() == 2);
    await().until(() -> gw.get("/v1/runs/r1", ADMIN_KEY).status().code() == 200);
  }

  @Test
  void slots_answeredAndRefusedRequests_giveTheirSlotBack() throws Exception {
    for (int i = 0; i < 10; i++) {
      assertThat(gw.get("/v1/runs/r1", ADMIN_KEY).status().code()).isEqualTo(200);
      assertThat(gw.get("/v1/runs/nope", ADMIN_KEY).status().code()).isEqualTo(404);
      assertThat(gw.get("/v1/runs/r1", "not-a-key").status().code()).isEqualTo(401);
    }

    // Two slots still free: two held requests fit, the third is refused.
    List<HttpResponse> held = List.of(holdSlot(), holdSlot());
    await().until(() -> gw.orchestrator.slowStarted() == 2);
    assertThat(gw.get("/v1/runs/r1", ADMIN_KEY).status().code()).isEqualTo(503);
    held.forEach(HttpResponse::abort);
  }

  @Test
  void eventStream_pastMaxStreams_gets503WhileRequestsStillServed() throws Exception {
    gw.runStatus.append("r1", RunEventType.RUN_EVENT_TYPE_RUN_SUBMITTED, "");
    try (SseClient first = stream()) {
      first.next();
      await().until(() -> gw.runStatus.openWatches() == 1);

      try (SseClient second = stream()) {
        assertThat(second.headers().status().code()).isEqualTo(503);
        assertThat(second.headers().get("retry-after")).isEqualTo("1");
      }
      assertThat(gw.get("/v1/runs/r1", ADMIN_KEY).status().code()).isEqualTo(200);
    }

    await().until(() -> gw.runStatus.openWatches() == 0);
    try (SseClient again = stream()) {
      assertThat(again.next().type()).isEqualTo("RUN_EVENT_TYPE_RUN_SUBMITTED");
    }
  }

  /** A request the upstream never answers: it holds a slot until aborted. */
  private HttpResponse holdSlot() {
    return gw.slowRequest();
  }

  private SseClient stream() {
    return SseClient.open(
        gw.client(),
        GatewayFixture.headers(HttpMethod.GET, "/v1/runs/r1/events", ADMIN_KEY)
            .set("accept", "text/event-stream")
            .build());
  }
}
