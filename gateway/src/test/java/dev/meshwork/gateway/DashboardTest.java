package dev.meshwork.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.linecorp.armeria.common.AggregatedHttpResponse;
import dev.meshwork.gateway.testing.GatewayFixture;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The dashboard's files and config, public and locked down by a content security policy. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardTest {

  private GatewayFixture gw;

  @BeforeAll
  void start(@TempDir Path dir) {
    gw = GatewayFixture.start(dir, b -> b.jaegerUrl("http://jaeger.example:16686/"));
  }

  @AfterAll
  void stop() throws Exception {
    gw.close();
  }

  @Test
  void root_servesIndexWithSecurityHeaders() {
    AggregatedHttpResponse res = gw.get("/", null);

    assertThat(res.status().code()).isEqualTo(200);
    assertThat(res.contentUtf8()).contains("<script src=\"app.js\"");
    assertThat(res.headers().get("content-security-policy")).contains("script-src 'self'");
    assertThat(res.headers().get("x-content-type-options")).isEqualTo("nosniff");
  }

  @Test
  void assets_areServed() {
    assertThat(gw.get("/app.js", null).contentUtf8()).contains("Last-Event-ID");
    assertThat(gw.get("/style.css", null).status().code()).isEqualTo(200);
  }

  @Test
  void config_carriesJaegerUrlWithoutTrailingSlash() {
    assertThat(gw.get("/dashboard-config.json", null).contentUtf8())
        .isEqualTo("{\"jaegerUrl\":\"http://jaeger.example:16686\"}");
  }
}
