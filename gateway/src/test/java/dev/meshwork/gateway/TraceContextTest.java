package dev.meshwork.gateway;

import static dev.meshwork.gateway.testing.GatewayFixture.ADMIN_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import com.linecorp.armeria.common.HttpMethod;
import dev.meshwork.api.orchestrator.v1.Run;
import dev.meshwork.gateway.testing.GatewayFixture;
import dev.meshwork.observability.MeshTelemetry;
import io.grpc.Metadata;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** With telemetry on, the gateway's upstream call is a span inside the HTTP client's trace. */
class TraceContextTest {

  private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String TRACEPARENT = "00-" + TRACE_ID + "-00f067aa0ba902b7-01";
  private static final Metadata.Key<String> TRACEPARENT_KEY =
      Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER);

  private OpenTelemetrySdk sdk;
  private GatewayFixture gw;

  @BeforeEach
  void start(@TempDir Path dir) {
    sdk =
        OpenTelemetrySdk.builder()
            .setTracerProvider(SdkTracerProvider.builder().build())
            .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
            .build();
    MeshTelemetry.useForTesting(sdk);
    gw = GatewayFixture.start(dir);
    gw.orchestrator.put(Run.newBuilder().setRunId("r1").build());
  }

  @AfterEach
  void stop() {
    gw.close();
    MeshTelemetry.shutdown();
    sdk.close();
  }

  @Test
  void transcodedCall_continuesTheClientsTraceWithTheGatewaysSpan() {
    gw.send(
        GatewayFixture.headers(HttpMethod.GET, "/v1/runs/r1", ADMIN_KEY)
            .set("traceparent", TRACEPARENT)
            .build(),
        "");

    Metadata upstream = gw.lastHeaders("meshwork.orchestrator.v1.OrchestratorService/GetRun");
    assertThat(upstream.getAll(TRACEPARENT_KEY)).singleElement()
        .satisfies(tp -> {
          assertThat(tp).contains(TRACE_ID);
          assertThat(tp).doesNotContain("00f067aa0ba902b7");
        });
  }

  @Test
  void streamCall_continuesTheClientsTraceToo() throws Exception {
    gw.runStatus.append(
        "r1", dev.meshwork.api.orchestrator.v1.RunEventType.RUN_EVENT_TYPE_RUN_SUBMITTED, "");
    try (var sse =
        dev.meshwork.gateway.testing.SseClient.open(
            gw.client(),
            GatewayFixture.headers(HttpMethod.GET, "/v1/runs/r1/events", ADMIN_KEY)
                .set("traceparent", TRACEPARENT)
                .build())) {
      sse.next();
    }

    Metadata upstream = gw.lastHeaders("meshwork.orchestrator.v1.RunStatusService/WatchRun");
    assertThat(upstream.getAll(TRACEPARENT_KEY)).singleElement()
        .satisfies(tp -> assertThat(tp).contains(TRACE_ID));
  }
}
