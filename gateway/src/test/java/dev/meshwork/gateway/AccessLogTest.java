package dev.meshwork.gateway;

import static dev.meshwork.gateway.testing.GatewayFixture.ADMIN_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.linecorp.armeria.common.HttpResponse;
import dev.meshwork.api.orchestrator.v1.Run;
import dev.meshwork.gateway.testing.GatewayFixture;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccessLogTest {

  private static final Logger ACCESS = Logger.getLogger("dev.meshwork.gateway.access");

  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final Handler capture =
      new Handler() {
        @Override
        public void publish(LogRecord record) {
          lines.add(record.getMessage());
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };
  private GatewayFixture gw;

  @BeforeEach
  void start(@TempDir Path dir) {
    ACCESS.addHandler(capture);
    gw = GatewayFixture.start(dir);
    gw.orchestrator.put(Run.newBuilder().setRunId("r1").build());
  }

  @AfterEach
  void stop() {
    gw.close();
    ACCESS.removeHandler(capture);
  }

  @Test
  void request_answered_loggedWithStatusLatencyAndKeyNameButNeverTheKey() {
    gw.get("/v1/runs/r1", ADMIN_KEY);

    await().until(() -> !lines.isEmpty());
    assertThat(lines.get(0)).matches("GET /v1/runs/r1 200 \\d+\\.\\d{3}ms key=admin");
    assertThat(lines.get(0)).doesNotContain(ADMIN_KEY);
  }

  @Test
  void request_clientGoneBeforeTheAnswer_logged499() {
    HttpResponse response = gw.slowRequest();
    await().until(() -> gw.orchestrator.slowStarted() == 1);

    response.abort();

    await().until(() -> !lines.isEmpty());
    assertThat(lines.get(0)).startsWith("GET /v1/runs/slow 499 ");
  }
}
