package dev.meshwork.gateway;

import static dev.meshwork.gateway.TranscodedRoutesTest.error;
import static dev.meshwork.gateway.testing.GatewayFixture.ADMIN_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpMethod;
import dev.meshwork.api.orchestrator.v1.Run;
import dev.meshwork.gateway.testing.GatewayFixture;
import io.grpc.Deadline;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The request deadline header maps onto the upstream gRPC deadline; running out is a 504. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DeadlineTest {

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
  void slowUpstream_pastRequestTimeout_returns504AndCancelsTheCall() throws Exception {
    int cancelledBefore = gw.orchestrator.slowCancelled();
    long start = System.nanoTime();

    AggregatedHttpResponse res = get("/v1/runs/slow", "x-request-timeout", "300ms");

    JsonNode body = error(res, 504);
    assertThat(body.get("code").asText()).isEqualTo("DEADLINE_EXCEEDED");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    await().atMost(Duration.ofSeconds(5))
        .until(() -> gw.orchestrator.slowCancelled() > cancelledBefore);
  }

  @Test
  void grpcTimeoutHeader_isHonouredToo() throws Exception {
    error(get("/v1/runs/slow", "grpc-timeout", "200m"), 504);
  }

  @Test
  void timeoutHeader_becomesTheUpstreamDeadline() {
    get("/v1/runs/r1", "x-request-timeout", "5s");

    Deadline deadline = gw.orchestrator.deadlines().get(gw.orchestrator.deadlines().size() - 1);
    assertThat(deadline.timeRemaining(TimeUnit.MILLISECONDS)).isBetween(3_000L, 5_000L);
  }

  @Test
  void noTimeoutHeader_getsTheThirtySecondDefault() {
    gw.get("/v1/runs/r1", ADMIN_KEY);

    Deadline deadline = gw.orchestrator.deadlines().get(gw.orchestrator.deadlines().size() - 1);
    assertThat(deadline.timeRemaining(TimeUnit.SECONDS)).isBetween(25L, 30L);
  }

  @Test
  void malformedTimeoutHeader_returns400NamingIt() throws Exception {
    JsonNode body = error(get("/v1/runs/r1", "x-request-timeout", "soon"), 400);

    assertThat(body.at("/fieldViolations/0/field").asText()).isEqualTo("x-request-timeout");
  }

  @Test
  void timeoutAboveMaximum_returns400() throws Exception {
    JsonNode body = error(get("/v1/runs/r1", "x-request-timeout", "2h"), 400);

    assertThat(body.at("/fieldViolations/0/description").asText()).contains("at most");
  }

  private AggregatedHttpResponse get(String path, String header, String value) {
    return gw.send(
        GatewayFixture.headers(HttpMethod.GET, path, ADMIN_KEY).set(header, value).build(), "");
  }
}
