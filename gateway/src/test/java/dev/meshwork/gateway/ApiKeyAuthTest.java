package dev.meshwork.gateway;

import static dev.meshwork.gateway.TranscodedRoutesTest.error;
import static dev.meshwork.gateway.testing.GatewayFixture.ADMIN_KEY;
import static dev.meshwork.gateway.testing.GatewayFixture.LIMITED_KEY;
import static dev.meshwork.gateway.testing.GatewayFixture.READER_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.RequestHeaders;
import dev.meshwork.api.orchestrator.v1.Run;
import dev.meshwork.gateway.testing.GatewayFixture;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** API keys at the edge: 401 without or with an unknown key, 403 off-route, 429 over the rate. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiKeyAuthTest {

  private GatewayFixture gw;

  @BeforeAll
  void start(@TempDir Path dir) {
    gw = GatewayFixture.start(dir);
    gw.orchestrator.put(Run.newBuilder().setRunId("r1").build());
  }

  @AfterAll
  void stop() throws Exception {
    gw.close();
  }

  @Test
  void request_withoutKey_returns401WithChallenge() throws Exception {
    AggregatedHttpResponse res = gw.get("/v1/runs/r1", null);

    JsonNode body = error(res, 401);
    assertThat(body.get("reason").asText()).isEqualTo("API_KEY_MISSING");
    assertThat(res.headers().get("www-authenticate")).startsWith("Bearer");
    assertThat(gw.lastHeaders("meshwork.orchestrator.v1.OrchestratorService/GetRun")).isNull();
  }

  @Test
  void request_withUnknownKey_returns401() throws Exception {
    JsonNode body = error(gw.get("/v1/runs/r1", "mw_not_a_key"), 401);

    assertThat(body.get("reason").asText()).isEqualTo("API_KEY_INVALID");
    assertThat(body.toString()).doesNotContain("mw_not_a_key");
  }

  @Test
  void request_withEmptyBearer_returns401() throws Exception {
    AggregatedHttpResponse res =
        gw.send(RequestHeaders.builder(HttpMethod.GET, "/v1/runs/r1")
            .set("authorization", "Bearer ").build(), "");

    assertThat(error(res, 401).get("reason").asText()).isEqualTo("API_KEY_MISSING");
  }

  @Test
  void request_withXApiKeyHeader_isAccepted() {
    AggregatedHttpResponse res =
        gw.send(RequestHeaders.builder(HttpMethod.GET, "/v1/runs/r1")
            .set("x-api-key", READER_KEY).build(), "");

    assertThat(res.status().code()).isEqualTo(200);
  }

  @Test
  void readerKey_onGetRoute_isAccepted() {
    assertThat(gw.get("/v1/runs/r1", READER_KEY).status().code()).isEqualTo(200);
  }

  @Test
  void readerKey_onPostRoute_returns403() throws Exception {
    JsonNode body = error(gw.post("/v1/runs", READER_KEY, "{\"workflowName\":\"w\"}"), 403);

    assertThat(body.get("code").asText()).isEqualTo("PERMISSION_DENIED");
    assertThat(body.get("reason").asText()).isEqualTo("ROUTE_NOT_ALLOWED");
    assertThat(body.get("message").asText()).contains("'reader'").doesNotContain(READER_KEY);
  }

  @Test
  void readerKey_onStreamRoute_isCheckedToo() throws Exception {
    JsonNode body = error(gw.get("/v1/run-events", null), 401);

    assertThat(body.get("reason").asText()).isEqualTo("API_KEY_MISSING");
  }

  @Test
  void limitedKey_overItsRate_returns429WithRetryAfter() throws Exception {
    AggregatedHttpResponse first = gw.get("/v1/runs/r1", LIMITED_KEY);
    AggregatedHttpResponse second = gw.get("/v1/runs/r1", LIMITED_KEY);

    AggregatedHttpResponse otherKey = gw.get("/v1/runs/r1", ADMIN_KEY);

    assertThat(first.status().code()).isEqualTo(200);
    JsonNode body = error(second, 429);
    assertThat(body.get("reason").asText()).isEqualTo("RATE_LIMITED");
    assertThat(Long.parseLong(second.headers().get("retry-after"))).isBetween(90L, 100L);
    assertThat(otherKey.status().code()).as("buckets are per key").isEqualTo(200);
  }

  @Test
  void dashboardFilesAndHealth_needNoKey() {
    assertThat(gw.get("/", null).status().code()).isEqualTo(200);
    assertThat(gw.get("/healthz", null).status().code()).isEqualTo(200);
    assertThat(gw.get("/dashboard-config.json", null).status().code()).isEqualTo(200);
  }

  @Test
  void oversizedHeaders_overHttp1_areRefused() throws Exception {
    // HTTP/2 clients refuse to send them at all: the server advertises its header list limit.
    HttpClient http1 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.port() + "/v1/runs/r1"))
            .header("authorization", "Bearer " + ADMIN_KEY)
            .header("x-padding", "p".repeat(20 * 1024))
            .build();

    HttpResponse<String> res = http1.send(request, HttpResponse.BodyHandlers.ofString());

    assertThat(res.statusCode()).isEqualTo(431);
  }
}
