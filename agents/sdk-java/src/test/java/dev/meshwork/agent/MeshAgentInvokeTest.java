package dev.meshwork.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import dev.meshwork.api.agent.v1.AgentServiceGrpc;
import dev.meshwork.api.agent.v1.GetAgentCardRequest;
import dev.meshwork.api.agent.v1.InvokeRequest;
import dev.meshwork.api.agent.v1.InvokeResponse;
import dev.meshwork.api.agent.v1.InvokeStreamRequest;
import dev.meshwork.api.agent.v1.InvokeStreamResponse;
import dev.meshwork.api.common.v1.Part;
import dev.meshwork.core.ErrorCode;
import dev.meshwork.core.FieldViolation;
import dev.meshwork.core.GrpcErrors;
import dev.meshwork.core.MeshException;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MeshAgentInvokeTest {

  private final AgentTestBed bed = new AgentTestBed().startRegistry();
  private final CountDownLatch slowStarted = new CountDownLatch(1);
  private final CompletableFuture<Boolean> slowSawCancelled = new CompletableFuture<>();
  private MeshAgent agent;
  private AgentServiceGrpc.AgentServiceBlockingStub stub;

  @BeforeEach
  void setUp() {
    agent =
        bed.started(
            bed.agent("echo")
                .description("Echoes")
                .label("tier", "test")
                .skill(
                    SkillSpec.builder("echo.say").name("Say").description("Echoes").build(),
                    (ctx, input) -> {
                      List<Part> out = new ArrayList<>(input);
                      out.add(Parts.text("key=" + ctx.idempotencyKey()
                          + " lang=" + ctx.metadata().getOrDefault("lang", "")));
                      return out;
                    })
                .skill(SkillSpec.of("echo.fail", "Always fails"),
                    (ctx, input) -> {
                      throw new IllegalStateException("boom");
                    })
                .skill(SkillSpec.of("echo.strict", "Rejects empty input"),
                    (ctx, input) -> {
                      throw MeshException.invalidArgument("input", "[] (expected: one text part)");
                    })
                .skill(SkillSpec.of("echo.deadline", "Tells the time left"),
                    (ctx, input) ->
                        List.of(Parts.text(ctx.timeRemaining().map(d -> d.toMillis() + "ms")
                            .orElse("none"))))
                .skill(SkillSpec.of("echo.slow", "Waits to be cancelled"),
                    (ctx, input) -> {
                      slowStarted.countDown();
                      try {
                        Thread.sleep(30_000);
                        return List.of();
                      } catch (InterruptedException e) {
                        slowSawCancelled.complete(ctx.isCancelled());
                        throw e;
                      }
                    })
                .streamingSkill(SkillSpec.of("echo.stream", "Streams words"),
                    (ctx, input, stream) -> {
                      stream.status("starting");
                      String[] words = Parts.allText(input).split(" ");
                      for (int i = 0; i < words.length; i++) {
                        stream.chunk(Parts.text(words[i]));
                        stream.progress("word " + (i + 1), (i + 1.0) / words.length);
                      }
                      return List.of(Parts.text("done: " + words.length));
                    }));
  }

  @BeforeEach
  void connect() {
    ManagedChannel channel = bed.channelTo(agent);
    stub = AgentServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    bed.close();
  }

  @Test
  void invoke_knownSkill_returnsHandlerOutputWithRequestDetails() {
    InvokeResponse response =
        stub.invoke(
            InvokeRequest.newBuilder()
                .setSkillId("echo.say")
                .addInput(Parts.text("hello"))
                .putMetadata("lang", "en")
                .setIdempotencyKey("run-1/step-1")
                .build());

    assertThat(response.getOutputList())
        .containsExactly(Parts.text("hello"), Parts.text("key=run-1/step-1 lang=en"));
  }

  @Test
  void invoke_unknownSkill_invalidArgumentWithViolationOnSkillId() {
    assertThatThrownBy(() -> stub.invoke(InvokeRequest.newBuilder().setSkillId("nope").build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              MeshException mesh = GrpcErrors.fromStatusException(e);
              assertThat(mesh.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
              assertThat(mesh.violations())
                  .containsExactly(
                      new FieldViolation(
                          "skill_id",
                          "'nope' (expected: one of echo.deadline, echo.fail, echo.say,"
                              + " echo.slow, echo.stream, echo.strict)"));
            });
  }

  @Test
  void invoke_handlerThrows_internalWithMessageAndNoStackTrace() {
    assertThatThrownBy(
            () -> stub.invoke(InvokeRequest.newBuilder().setSkillId("echo.fail").build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
              assertThat(e.getStatus().getDescription())
                  .isEqualTo("skill 'echo.fail' failed: boom");
              com.google.rpc.Status details = StatusProto.fromThrowable(e);
              assertThat(details.getDetailsList()).hasSize(1);
              assertThat(details.getDetails(0).is(ErrorInfo.class)).isTrue();
              assertThat(details.toString()).doesNotContain("at dev.meshwork", "Exception");
            });
  }

  @Test
  void invoke_handlerRejectsInput_invalidArgumentWithItsViolations() throws Exception {
    assertThatThrownBy(
            () -> stub.invoke(InvokeRequest.newBuilder().setSkillId("echo.strict").build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
              BadRequest badRequest = unpackBadRequest(e);
              assertThat(badRequest.getFieldViolations(0).getField()).isEqualTo("input");
              assertThat(badRequest.getFieldViolations(0).getDescription())
                  .isEqualTo("[] (expected: one text part)");
            });
  }

  @Test
  void invoke_withDeadline_handlerSeesTimeRemaining() {
    InvokeResponse response =
        stub.withDeadlineAfter(2, TimeUnit.SECONDS)
            .invoke(InvokeRequest.newBuilder().setSkillId("echo.deadline").build());

    String text = response.getOutput(0).getText();
    assertThat(text).endsWith("ms");
    assertThat(Long.parseLong(text.replace("ms", ""))).isBetween(1L, 2000L);
  }

  @Test
  void invoke_callerCancels_handlerIsInterruptedAndSeesCancelled() throws Exception {
    Context.CancellableContext call = Context.current().withCancellation();
    CompletableFuture<Status> outcome = new CompletableFuture<>();
    call.run(
        () ->
            AgentServiceGrpc.newStub(bed.channelTo(agent))
                .invoke(
                    InvokeRequest.newBuilder().setSkillId("echo.slow").build(),
                    observer(outcome)));
    assertThat(slowStarted.await(5, TimeUnit.SECONDS)).isTrue();

    call.cancel(null);

    assertThat(slowSawCancelled.get(5, TimeUnit.SECONDS)).isTrue();
    assertThat(outcome.get(5, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.CANCELLED);
    await().atMost(Duration.ofSeconds(5)).until(() -> agent.inFlight() == 0);
  }

  @Test
  void invoke_deadlinePasses_handlerIsInterruptedAndSeesCancelled() throws Exception {
    assertThatThrownBy(
            () ->
                stub.withDeadlineAfter(300, TimeUnit.MILLISECONDS)
                    .invoke(InvokeRequest.newBuilder().setSkillId("echo.slow").build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));

    assertThat(slowSawCancelled.get(5, TimeUnit.SECONDS)).isTrue();
    await().atMost(Duration.ofSeconds(5)).until(() -> agent.inFlight() == 0);
  }

  @Test
  void invokeStream_streamingSkill_sendsStatusChunksThenResult() {
    Iterator<InvokeStreamResponse> responses =
        stub.invokeStream(
            InvokeStreamRequest.newBuilder()
                .setSkillId("echo.stream")
                .addInput(Parts.text("a b"))
                .build());
    List<InvokeStreamResponse> all = new ArrayList<>();
    responses.forEachRemaining(all::add);

    assertThat(all).extracting(InvokeStreamResponse::getEventCase)
        .containsExactly(
            InvokeStreamResponse.EventCase.STATUS,
            InvokeStreamResponse.EventCase.CHUNK,
            InvokeStreamResponse.EventCase.STATUS,
            InvokeStreamResponse.EventCase.CHUNK,
            InvokeStreamResponse.EventCase.STATUS,
            InvokeStreamResponse.EventCase.RESULT);
    assertThat(all.get(4).getStatus().getProgress()).isEqualTo(1.0);
    assertThat(all.get(5).getResult().getOutputList()).containsExactly(Parts.text("done: 2"));
  }

  @Test
  void invokeStream_unarySkill_sendsJustTheResult() {
    List<InvokeStreamResponse> all = new ArrayList<>();
    stub.invokeStream(
            InvokeStreamRequest.newBuilder()
                .setSkillId("echo.say")
                .addInput(Parts.text("x"))
                .build())
        .forEachRemaining(all::add);

    assertThat(all).hasSize(1);
    assertThat(all.get(0).getResult().getOutput(0)).isEqualTo(Parts.text("x"));
  }

  @Test
  void invoke_streamingSkill_returnsChunksThenResult() {
    InvokeResponse response =
        stub.invoke(
            InvokeRequest.newBuilder()
                .setSkillId("echo.stream")
                .addInput(Parts.text("a b"))
                .build());

    assertThat(response.getOutputList())
        .containsExactly(Parts.text("a"), Parts.text("b"), Parts.text("done: 2"));
  }

  @Test
  void getAgentCard_returnsTheCard() {
    var card = stub.getAgentCard(GetAgentCardRequest.getDefaultInstance()).getCard();

    assertThat(card.getName()).isEqualTo("echo");
    assertThat(card.getVersion()).isEqualTo("1.2.3");
    assertThat(card.getLabelsMap()).containsEntry("tier", "test");
    assertThat(card.getSkillsList()).extracting(s -> s.getId())
        .containsExactly(
            "echo.say", "echo.fail", "echo.strict", "echo.deadline", "echo.slow", "echo.stream");
    assertThat(card.getSkills(0).getName()).isEqualTo("Say");
  }

  private static BadRequest unpackBadRequest(StatusRuntimeException e) {
    try {
      for (var detail : StatusProto.fromThrowable(e).getDetailsList()) {
        if (detail.is(BadRequest.class)) {
          return detail.unpack(BadRequest.class);
        }
      }
    } catch (com.google.protobuf.InvalidProtocolBufferException ex) {
      throw new AssertionError(ex);
    }
    throw new AssertionError("no BadRequest detail in " + e);
  }

  private static <T> StreamObserver<T> observer(CompletableFuture<Status> outcome) {
    return new StreamObserver<>() {
      @Override
      public void onNext(T value) {}

      @Override
      public void onError(Throwable t) {
        outcome.complete(Status.fromThrowable(t));
      }

      @Override
      public void onCompleted() {
        outcome.complete(Status.OK);
      }
    };
  }
}
