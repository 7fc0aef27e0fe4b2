package dev.meshwork.cli.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshwork.cli.MeshctlRun;
import dev.meshwork.cli.testing.FakeOrchestrator;
import dev.meshwork.cli.testing.RunStory;
import dev.meshwork.observability.MeshTelemetry;
import dev.meshwork.observability.testing.InMemoryTelemetry;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * meshctl's real channels (core {@code MeshChannels}, plaintext) against a fake orchestrator on a
 * local port that records the headers of each call, with an in-memory SDK behind {@code
 * MeshTelemetry} standing for {@link CliTelemetry} being on.
 */
class TracedExecutionTest {

  private static final String START_RUN = "meshwork.orchestrator.v1.OrchestratorService/StartRun";
  private static final Metadata.Key<String> TRACEPARENT =
      Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER);

  @RegisterExtension final InMemoryTelemetry telemetry = new InMemoryTelemetry();

  private final FakeOrchestrator orchestrator = new FakeOrchestrator();
  private final Map<String, Metadata> headers = new ConcurrentHashMap<>();
  private Server server;

  @BeforeEach
  void start() throws IOException {
    ServerInterceptor capture =
        new ServerInterceptor() {
          @Override
          public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
              ServerCall<ReqT, RespT> call,
              Metadata metadata,
              ServerCallHandler<ReqT, RespT> next) {
            headers.put(call.getMethodDescriptor().getFullMethodName(), metadata);
            return next.startCall(call, metadata);
          }
        };
    server =
        Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
            .addService(ServerInterceptors.intercept(orchestrator, capture))
            .build()
            .start();
  }

  @AfterEach
  void stop() throws InterruptedException {
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  void runStart_tracingOn_sendsTraceparentOfTheCommandSpan() {
    orchestrator.startsRun(RunStory.submitted(), false);

    MeshctlRun run = meshctl("run", "start", "--workflow", "hello");

    assertThat(run.exitCode()).as(run.err()).isZero();
    SpanData command = onlySpanNamed("meshctl run start");
    assertThat(command.getKind()).isEqualTo(SpanKind.CLIENT);
    assertThat(command.getParentSpanContext().isValid()).as("root span").isFalse();
    assertThat(command.getAttributes().get(TracedExecution.EXIT_CODE)).isZero();
    String traceparent = headers.get(START_RUN).get(TRACEPARENT);
    assertThat(traceparent).matches("00-" + command.getTraceId() + "-[0-9a-f]{16}-[0-9a-f]{2}");
    String[] parts = traceparent.split("-");
    assertThat(Integer.parseInt(parts[3], 16) & 1).as("sampled flag").isOne();
    // The header's parent is the call's own client span, a child of the command span.
    String callSpanId = parts[2];
    SpanData call = onlySpanNamed(START_RUN);
    assertThat(call.getSpanId()).isEqualTo(callSpanId);
    assertThat(call.getParentSpanId()).isEqualTo(command.getSpanId());
  }

  @Test
  void runStart_callFails_commandSpanIsError() {
    MeshctlRun run = meshctl("run", "start", "--workflow", "hello"); // nothing scripted: INTERNAL

    assertThat(run.exitCode()).isEqualTo(1);
    SpanData command = onlySpanNamed("meshctl run start");
    assertThat(command.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(command.getEvents()).anyMatch(event -> event.getName().equals("exception"));
  }

  @Test
  void runStart_tracingOff_sendsNoTraceparent() {
    MeshTelemetry.shutdown(); // back to the no-op state meshctl has without OTEL_* variables
    orchestrator.startsRun(RunStory.submitted(), false);

    MeshctlRun run = meshctl("run", "start", "--workflow", "hello");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(headers.get(START_RUN).containsKey(TRACEPARENT)).isFalse();
    assertThat(run.err()).isEmpty();
  }

  private MeshctlRun meshctl(String... args) {
    Map<String, String> env =
        Map.of(
            "USER",
            "alice",
            "MESHWORK_ORCHESTRATOR",
            "127.0.0.1:" + server.getPort(),
            "MESHWORK_INSECURE",
            "1");
    return MeshctlRun.run(env, args);
  }

  private SpanData onlySpanNamed(String name) {
    assertThat(telemetry.spansNamed(name)).as(name + " in " + telemetry.spans()).hasSize(1);
    return telemetry.spansNamed(name).get(0);
  }
}
