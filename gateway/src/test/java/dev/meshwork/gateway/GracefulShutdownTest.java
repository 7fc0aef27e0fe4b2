package dev.meshwork.gateway;

import static dev.meshwork.gateway.testing.GatewayFixture.ADMIN_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import dev.meshwork.api.orchestrator.v1.Run;
import dev.meshwork.gateway.testing.GatewayFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** How the gateway stops: within its grace period, whatever that is. */
class GracefulShutdownTest {

  @ParameterizedTest
  @ValueSource(longs = {0, 50})
  void start_gracePeriodUnderQuietPeriod_servesAndStops(long graceMillis, @TempDir Path dir) {
    // A grace period under the server's 200 ms quiet period used to fail the gateway's start.
    GatewayFixture gw =
        GatewayFixture.start(dir, b -> b.gracePeriod(Duration.ofMillis(graceMillis)));
    gw.orchestrator.put(Run.newBuilder().setRunId("r1").build());

    assertThat(gw.get("/v1/runs/r1", ADMIN_KEY).status().code()).isEqualTo(200);
    // Armeria's own shutdown of its event loops takes about 2 s whatever the grace period.
    assertThat(CompletableFuture.runAsync(gw::close)).succeedsWithin(Duration.ofSeconds(5));
  }
}
