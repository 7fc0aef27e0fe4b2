package dev.meshwork.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.grpc.CallOptions;
import io.grpc.stub.ClientCalls;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link MeshTelemetry#init} with the real autoconfigured SDK. */
class MeshTelemetryInitTest {

  private final HttpClient http = HttpClient.newHttpClient();

  @AfterEach
  void reset() {
    MeshTelemetry.shutdown();
    GlobalOpenTelemetry.resetForTest();
    System.clearProperty("otel.sdk.disabled");
    System.clearProperty("otel.service.name");
  }

  @Test
  void init_withMetricsPort_servesRpcMetricsAfterCall() throws Exception {
    int port = freePort();
    MeshTelemetry.init(quiet("registry").metricsPort(port).build());

    try (EchoServer server = EchoServer.echoing()) {
      call(server);
    }

    assertThat(MeshTelemetry.metricsEndpoint())
        .contains(URI.create("http://127.0.0.1:" + port + "/metrics"));
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () ->
                assertThat(scrape())
                    .contains("rpc_server_")
                    .contains("rpc_client_")
                    .contains("rpc_method=\"Echo\"")
                    .contains("service_name=\"registry\""));
  }

  @Test
  void init_metricsPortInUse_failsNamingThePort() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      int port = taken.getLocalPort();

      assertThatThrownBy(() -> MeshTelemetry.init(quiet("registry").metricsPort(port).build()))
          .hasMessageContaining("cannot serve metrics on 127.0.0.1:" + port)
          .hasMessageContaining("MESHWORK_METRICS_PORT");
    }
  }

  @Test
  void init_otelServiceNameSet_winsOverGivenName() throws Exception {
    // -Dotel.service.name has the precedence of OTEL_SERVICE_NAME in autoconfigure.
    System.setProperty("otel.service.name", "renamed");
    MeshTelemetry.init(quiet("registry").metricsPort(freePort()).build());
    MeshTelemetry.meter().counterBuilder("meshwork.test").build().add(1);

    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(scrape()).contains("service_name=\"renamed\""));
  }

  @Test
  void init_calledTwice_keepsFirstConfiguration() {
    OpenTelemetry first = MeshTelemetry.init(quiet("registry").build());
    OpenTelemetry second = MeshTelemetry.init(quiet("orchestrator").build());

    assertThat(second).isSameAs(first);
    assertThat(GlobalOpenTelemetry.isSet()).isTrue();
  }

  @Test
  void init_sdkDisabled_callsStillWorkAndNothingIsExported() throws Exception {
    System.setProperty("otel.sdk.disabled", "true");
    try (FakeOtlpCollector collector = FakeOtlpCollector.start()) {
      MeshTelemetry.init(
          TelemetryOptions.builder("registry")
              .installLogging(false)
              .metricsPort(freePort())
              .otelDefault("otel.exporter.otlp.protocol", "http/protobuf")
              .otelDefault("otel.exporter.otlp.endpoint", collector.endpoint())
              .build());

      try (EchoServer server = EchoServer.echoing()) {
        assertThat(call(server)).isEqualTo("echo:x");
      }
      assertThat(MeshTelemetry.metricsEndpoint()).isEmpty();
      MeshTelemetry.shutdown();

      assertThat(collector.traceRequests()).isZero();
    }
  }

  @Test
  void init_noCollectorListening_callsSucceedAndShutdownReturnsPromptly() throws Exception {
    int closedPort = freePort();
    MeshTelemetry.init(
        quiet("registry")
            .otelDefault("otel.exporter.otlp.endpoint", "http://127.0.0.1:" + closedPort)
            .build());

    try (EchoServer server = EchoServer.echoing()) {
      for (int i = 0; i < 20; i++) {
        assertThat(call(server)).isEqualTo("echo:x");
      }
    }
    long start = System.nanoTime();
    MeshTelemetry.shutdown();

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(7));
  }

  private static TelemetryOptions.Builder quiet(String serviceName) {
    // Tests keep surefire's logging and export nowhere unless they say otherwise.
    return TelemetryOptions.builder(serviceName)
        .installLogging(false)
        .otelDefault("otel.traces.exporter", "none")
        .otelDefault("otel.metrics.exporter", "none");
  }

  private static String call(EchoServer server) {
    return ClientCalls.blockingUnaryCall(
        server.channel(), EchoServer.ECHO, CallOptions.DEFAULT, "x");
  }

  private String scrape() throws IOException, InterruptedException {
    URI url = MeshTelemetry.metricsEndpoint().orElseThrow();
    HttpResponse<String> response =
        http.send(HttpRequest.newBuilder(url).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return response.body();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return socket.getLocalPort();
    }
  }
}
