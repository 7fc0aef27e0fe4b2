package dev.meshwork.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.meshwork.observability.internal.ConsoleLogHandler;
import dev.meshwork.observability.testing.InMemoryTelemetry;
import io.grpc.CallOptions;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class GrpcTelemetryTest {

  @RegisterExtension final InMemoryTelemetry telemetry = new InMemoryTelemetry();

  @Test
  void unaryCall_throughBothInterceptors_recordsClientAndServerSpanInOneTrace() throws Exception {
    try (EchoServer server = EchoServer.echoing()) {
      String reply = call(server, "hi");

      assertThat(reply).isEqualTo("echo:hi");
      await().atMost(Duration.ofSeconds(5)).until(() -> telemetry.spans().size() == 2);
      SpanData client = only(SpanKind.CLIENT);
      SpanData serverSpan = only(SpanKind.SERVER);
      assertThat(client.getName()).isEqualTo("meshwork.test.v1.EchoService/Echo");
      assertThat(serverSpan.getName()).isEqualTo("meshwork.test.v1.EchoService/Echo");
      assertThat(serverSpan.getTraceId()).isEqualTo(client.getTraceId());
      assertThat(serverSpan.getParentSpanId()).isEqualTo(client.getSpanId());
      assertThat(serverSpan.getParentSpanContext().isRemote()).isTrue();
      assertThat(client.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
    }
  }

  @Test
  @SuppressWarnings("try")
  void unaryCall_insideApplicationSpan_clientSpanIsItsChild() throws Exception {
    try (EchoServer server = EchoServer.echoing()) {
      Span parent = MeshTelemetry.tracer().spanBuilder("attempt").startSpan();
      try (Scope ignored = parent.makeCurrent()) {
        call(server, "x");
      } finally {
        parent.end();
      }

      await().atMost(Duration.ofSeconds(5)).until(() -> telemetry.spans().size() == 3);
      SpanData client = only(SpanKind.CLIENT);
      assertThat(client.getParentSpanId()).isEqualTo(parent.getSpanContext().getSpanId());
      assertThat(only(SpanKind.SERVER).getTraceId())
          .isEqualTo(parent.getSpanContext().getTraceId());
    }
  }

  @Test
  @SuppressWarnings("try")
  void propagatingInterceptor_insideApplicationSpan_serverSpanIsItsChildWithNoClientSpan()
      throws Exception {
    try (EchoServer server = EchoServer.echoing()) {
      Span parent = MeshTelemetry.tracer().spanBuilder("attempt").startSpan();
      try (Scope ignored = parent.makeCurrent()) {
        ClientCalls.blockingUnaryCall(
            server.channelWith(MeshTelemetry.propagatingClientInterceptor()),
            EchoServer.ECHO,
            CallOptions.DEFAULT,
            "x");
      } finally {
        parent.end();
      }

      await().atMost(Duration.ofSeconds(5)).until(() -> telemetry.spans().size() == 2);
      assertThat(telemetry.spans()).noneMatch(span -> span.getKind() == SpanKind.CLIENT);
      SpanData serverSpan = only(SpanKind.SERVER);
      assertThat(serverSpan.getTraceId()).isEqualTo(parent.getSpanContext().getTraceId());
      assertThat(serverSpan.getParentSpanId()).isEqualTo(parent.getSpanContext().getSpanId());
    }
  }

  @Test
  void serverHandler_duringCall_seesServerSpanAndRunIdFromBaggage() throws Exception {
    AtomicReference<String> handlerTraceId = new AtomicReference<>();
    AtomicReference<String> handlerSpanId = new AtomicReference<>();
    AtomicReference<String> handlerRunId = new AtomicReference<>();
    try (EchoServer server =
        EchoServer.start(
            (request, response) -> {
              handlerTraceId.set(Span.current().getSpanContext().getTraceId());
              handlerSpanId.set(Span.current().getSpanContext().getSpanId());
              handlerRunId.set(MeshLogging.currentRunId().orElse(null));
              response.onNext("ok");
              response.onCompleted();
            })) {
      MeshLogging.withRunId("run-42", () -> call(server, "x"));

      await().atMost(Duration.ofSeconds(5)).until(() -> telemetry.spans().size() == 2);
      SpanData serverSpan = only(SpanKind.SERVER);
      assertThat(handlerTraceId.get()).isEqualTo(serverSpan.getTraceId());
      assertThat(handlerSpanId.get()).isEqualTo(serverSpan.getSpanId());
      assertThat(handlerRunId.get()).isEqualTo("run-42");
    }
  }

  @Test
  void serverLog_insideCall_carriesTraceSpanAndRunId() throws Exception {
    Logger handlerLog = Logger.getLogger("dev.meshwork.test.EchoHandler");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ConsoleLogHandler capture = new ConsoleLogHandler(out, MeshLogging.formatter("echo"));
    handlerLog.addHandler(capture);
    try (EchoServer server =
        EchoServer.start(
            (request, response) -> {
              handlerLog.info("handling " + request);
              response.onNext("ok");
              response.onCompleted();
            })) {
      MeshLogging.withRunId("run-7", () -> call(server, "x"));

      await().atMost(Duration.ofSeconds(5)).until(() -> telemetry.spans().size() == 2);
      SpanData serverSpan = only(SpanKind.SERVER);
      String line = out.toString(StandardCharsets.UTF_8).strip();
      assertThat(line)
          .matches(
              "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z INFO  \\[echo\\] "
                  + "dev\\.meshwork\\.test\\.EchoHandler - handling x .*")
          .endsWith(
              " trace_id=" + serverSpan.getTraceId()
                  + " span_id=" + serverSpan.getSpanId()
                  + " run_id=run-7");
    } finally {
      handlerLog.removeHandler(capture);
    }
  }

  @Test
  void failingCall_recordsErrorStatusOnClientSpan() throws Exception {
    try (EchoServer server =
        EchoServer.start(
            (request, response) ->
                response.onError(
                    Status.UNAVAILABLE.withDescription("down").asRuntimeException()))) {
      assertThatThrownBy(() -> call(server, "x"))
          .isInstanceOf(StatusRuntimeException.class)
          .hasMessageContaining("UNAVAILABLE");

      await().atMost(Duration.ofSeconds(5)).until(() -> telemetry.spans().size() == 2);
      assertThat(only(SpanKind.CLIENT).getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
      assertThat(only(SpanKind.SERVER).getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    }
  }

  @Test
  void healthCheck_throughInterceptors_isNotTraced() throws Exception {
    try (EchoServer server = EchoServer.echoing()) {
      ClientCalls.blockingUnaryCall(
          server.channel(), EchoServer.HEALTH_CHECK, CallOptions.DEFAULT, "ping");
      call(server, "traced");

      await().atMost(Duration.ofSeconds(5)).until(() -> telemetry.spans().size() >= 2);
      assertThat(telemetry.spans())
          .extracting(SpanData::getName)
          .containsOnly("meshwork.test.v1.EchoService/Echo");
    }
  }

  @Test
  void unaryCall_recordsRpcDurationMetricsOnBothSides() throws Exception {
    try (EchoServer server = EchoServer.echoing()) {
      call(server, "x");

      await()
          .atMost(Duration.ofSeconds(5))
          .untilAsserted(
              () ->
                  assertThat(telemetry.metrics())
                      .extracting(MetricData::getName)
                      .anyMatch(name -> name.startsWith("rpc.server.") && name.endsWith("duration"))
                      .anyMatch(
                          name -> name.startsWith("rpc.client.") && name.endsWith("duration")));
    }
  }

  @Test
  void interceptors_telemetryInstalledAfterServerBuilt_useNewTelemetry() throws Exception {
    MeshTelemetry.shutdown();
    try (EchoServer server = EchoServer.echoing()) {
      call(server, "untraced");
      assertThat(telemetry.spans()).isEmpty();

      MeshTelemetry.useForTesting(telemetry.sdk());
      call(server, "traced");

      await().atMost(Duration.ofSeconds(5)).until(() -> telemetry.spans().size() == 2);
    }
  }

  private static String call(EchoServer server, String request) {
    return ClientCalls.blockingUnaryCall(
        server.channel(), EchoServer.ECHO, CallOptions.DEFAULT, request);
  }

  private SpanData only(SpanKind kind) {
    List<SpanData> matching =
        telemetry.spans().stream().filter(span -> span.getKind() == kind).toList();
    assertThat(matching).as("%s spans", kind).hasSize(1);
    return matching.get(0);
  }
}
