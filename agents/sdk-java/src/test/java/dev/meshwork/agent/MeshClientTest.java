package dev.meshwork.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.meshwork.api.agent.v1.AgentServiceGrpc;
import dev.meshwork.api.agent.v1.InvokeRequest;
import dev.meshwork.api.agent.v1.InvokeResponse;
import dev.meshwork.api.common.v1.Part;
import dev.meshwork.core.ErrorCode;
import dev.meshwork.core.MeshException;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.stub.MetadataUtils;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Agent-to-agent calls through the mesh: resolver, LB, deadline and trace propagation. */
class MeshClientTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final Metadata.Key<String> TRACEPARENT =
      Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER);

  private final AgentTestBed bed = new AgentTestBed().startRegistry();
  private final AtomicReference<String> backSawTrace = new AtomicReference<>();
  private MeshAgent front;
  private MeshAgent back;

  @BeforeEach
  void setUp() {
    back =
        bed.started(
            bed.agent("back")
                .skill(SkillSpec.of("back.time-left", "Tells the time left"),
                    (ctx, input) ->
                        List.of(Parts.text(String.valueOf(
                            ctx.timeRemaining().orElseThrow().toMillis()))))
                .skill(SkillSpec.of("back.fail", "Fails"),
                    (ctx, input) -> {
                      throw new IllegalStateException("back is broken");
                    }));
    front =
        bed.started(
            bed.agent("front")
                .skill(SkillSpec.of("front.ask", "Asks back"),
                    (ctx, input) -> ctx.mesh().invoke("back.time-left", input))
                .skill(SkillSpec.of("front.ask-fail", "Asks back to fail"),
                    (ctx, input) -> ctx.mesh().invoke("back.fail", input)));
    await().atMost(WAIT).until(() -> back.instanceId().isPresent());
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    bed.close();
  }

  @Test
  void invoke_fromHandler_reachesOtherAgentWithinTheCallersDeadline() {
    InvokeResponse response =
        AgentServiceGrpc.newBlockingStub(bed.channelTo(front))
            .withDeadlineAfter(3, TimeUnit.SECONDS)
            .invoke(InvokeRequest.newBuilder().setSkillId("front.ask").build());

    long backMillis = Long.parseLong(response.getOutput(0).getText());
    assertThat(backMillis).isBetween(1L, 3000L);
  }

  @Test
  void invoke_calleeFails_surfacesItsErrorToTheCaller() {
    assertThatThrownBy(
            () ->
                AgentServiceGrpc.newBlockingStub(bed.channelTo(front))
                    .withDeadlineAfter(3, TimeUnit.SECONDS)
                    .invoke(InvokeRequest.newBuilder().setSkillId("front.ask-fail").build()))
        .hasMessageContaining("INTERNAL: skill 'back.fail' failed: back is broken");
  }

  @Test
  void invoke_standaloneClient_usesExplicitTimeout() {
    List<Part> output =
        front.mesh().invoke("back.time-left", List.of(), Duration.ofMillis(1500));

    assertThat(Long.parseLong(output.get(0).getText())).isBetween(1L, 1500L);
  }

  @Test
  void invoke_noInstanceServesSkill_failsUnavailable() {
    assertThatThrownBy(() -> front.mesh().invoke("nobody.home", List.of(), Duration.ofSeconds(2)))
        .isInstanceOfSatisfying(
            MeshException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
              assertThat(e.getMessage())
                  .contains("no serving instance for mesh:///skill/nobody.home");
            });
  }

  @Test
  void invoke_repeatedFailures_opensTheSkillsCircuit() {
    for (int i = 0; i < 5; i++) {
      assertThatThrownBy(() -> front.mesh().invoke("back.fail", List.of(), Duration.ofSeconds(2)))
          .isInstanceOfSatisfying(
              MeshException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL));
    }

    assertThatThrownBy(() -> front.mesh().invoke("back.fail", List.of(), Duration.ofSeconds(2)))
        .isInstanceOfSatisfying(
            MeshException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
              assertThat(e.reason()).isEqualTo("CIRCUIT_OPEN");
            });
    // Another skill's circuit is unaffected.
    assertThat(front.mesh().invoke("back.time-left", List.of(), Duration.ofSeconds(2))).hasSize(1);
  }

  @Test
  void invoke_invalidSkillId_failsInvalidArgument() {
    assertThatThrownBy(() -> front.mesh().invoke("bad id", List.of(), Duration.ofSeconds(2)))
        .isInstanceOfSatisfying(
            MeshException.class,
            e -> assertThat(e.violations()).extracting(v -> v.field()).containsExactly("skill_id"));
  }

  @Test
  void invoke_incomingTraceparent_isPropagated() {
    MeshAgent traced =
        bed.started(
            bed.agent("traced")
                .skill(SkillSpec.of("traced.ask", "Asks back, traced"),
                    (ctx, input) -> ctx.mesh().invoke("back.trace", input)));
    MeshAgent recorder =
        bed.started(
            bed.agent("recorder")
                .intercept(
                    new ServerInterceptor() {
                      @Override
                      public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
                          ServerCall<ReqT, RespT> call,
                          Metadata headers,
                          ServerCallHandler<ReqT, RespT> next) {
                        if (call.getMethodDescriptor().getFullMethodName().endsWith("/Invoke")) {
                          backSawTrace.set(headers.get(TRACEPARENT));
                        }
                        return next.startCall(call, headers);
                      }
                    })
                .skill(SkillSpec.of("back.trace", "Records the trace header"),
                    (ctx, input) -> List.of(Parts.text("ok"))));
    await().atMost(WAIT).until(() -> recorder.instanceId().isPresent());
    String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    Metadata headers = new Metadata();
    headers.put(TRACEPARENT, traceparent);

    AgentServiceGrpc.newBlockingStub(bed.channelTo(traced))
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
        .withDeadlineAfter(3, TimeUnit.SECONDS)
        .invoke(InvokeRequest.newBuilder().setSkillId("traced.ask").build());

    assertThat(backSawTrace.get()).isEqualTo(traceparent);
  }
}
