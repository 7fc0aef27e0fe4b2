package dev.meshwork.orchestrator.internal.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.meshwork.api.agent.v1.AgentServiceGrpc;
import dev.meshwork.api.agent.v1.InvokeRequest;
import dev.meshwork.api.agent.v1.InvokeResponse;
import dev.meshwork.api.common.v1.Part;
import dev.meshwork.orchestrator.AgentCall;
import dev.meshwork.orchestrator.AgentCallException;
import dev.meshwork.orchestrator.AgentResult;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GrpcAgentInvokerTest {

  private final AtomicReference<InvokeRequest> lastRequest = new AtomicReference<>();
  private final AtomicLong deadlineMillis = new AtomicLong();
  private final CountDownLatch agentSawCancel = new CountDownLatch(1);
  private final String name = InProcessServerBuilder.generateName();
  private final Server agent;
  private final ManagedChannel channel;
  private final GrpcAgentInvoker invoker;

  GrpcAgentInvokerTest() throws Exception {
    agent =
        InProcessServerBuilder.forName(name)
            .addService(
                new AgentServiceGrpc.AgentServiceImplBase() {
                  @Override
                  public void invoke(
                      InvokeRequest request, StreamObserver<InvokeResponse> response) {
                    lastRequest.set(request);
                    deadlineMillis.set(
                        Context.current().getDeadline().timeRemaining(TimeUnit.MILLISECONDS));
                    String text = request.getInput(0).getText();
                    switch (text) {
                      case "bad" ->
                          response.onError(
                              Status.INVALID_ARGUMENT
                                  .withDescription("bad input")
                                  .asRuntimeException());
                      case "hang" ->
                          Context.current()
                              .addListener(c -> agentSawCancel.countDown(), Runnable::run);
                      default -> {
                        response.onNext(
                            InvokeResponse.newBuilder()
                                .addOutput(Part.newBuilder().setText("echo " + text))
                                .build());
                        response.onCompleted();
                      }
                    }
                  }
                })
            .build()
            .start();
    channel = InProcessChannelBuilder.forName(name).build();
    invoker = new GrpcAgentInvoker(skill -> channel);
  }

  @AfterEach
  void close() {
    invoker.close();
    channel.shutdownNow();
    agent.shutdownNow();
  }

  private static AgentCall call(String text) {
    return new AgentCall(
        "text.echo",
        List.of(Part.newBuilder().setText(text).build()),
        Duration.ofSeconds(5),
        "run-1/a",
        2,
        false);
  }

  @Test
  void invoke_success_outputKeyAttemptAndDeadlineSent() throws Exception {
    AgentResult result = invoker.invoke(call("hi")).get(5, TimeUnit.SECONDS);

    assertThat(result.output()).containsExactly(Part.newBuilder().setText("echo hi").build());
    assertThat(lastRequest.get().getIdempotencyKey()).isEqualTo("run-1/a");
    assertThat(lastRequest.get().getSkillId()).isEqualTo("text.echo");
    assertThat(lastRequest.get().getMetadataMap()).containsEntry("attempt", "2");
    assertThat(deadlineMillis.get()).isBetween(1L, 5000L);
  }

  @Test
  void invoke_agentError_agentCallExceptionWithCode() {
    assertThatThrownBy(() -> invoker.invoke(call("bad")).get(5, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOfSatisfying(
            AgentCallException.class,
            e -> {
              assertThat(e.code()).isEqualTo("INVALID_ARGUMENT");
              assertThat(e.getMessage()).isEqualTo("bad input");
            });
  }

  @Test
  void invoke_cancelled_agentSeesCancellation() throws Exception {
    CompletableFuture<AgentResult> future = invoker.invoke(call("hang"));
    await().until(() -> lastRequest.get() != null);

    future.cancel(true);

    assertThat(agentSawCancel.await(5, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void invoke_startedInsideACallThatEnds_agentCallUnaffected() throws Exception {
    // The engine may dispatch a run's first steps on the thread of the StartRun call; that
    // call's Context is cancelled as soon as StartRun answers.
    Context.CancellableContext startRunCall = Context.current().withCancellation();
    CompletableFuture<AgentResult> future = startRunCall.call(() -> invoker.invoke(call("hang")));
    await().until(() -> lastRequest.get() != null);

    startRunCall.cancel(null);

    assertThat(agentSawCancel.await(500, TimeUnit.MILLISECONDS)).isFalse();
    assertThat(future).isNotDone();
  }

  @Test
  void targetOf_skill_meshUri() {
    assertThat(GrpcAgentInvoker.targetOf("text.summarize"))
        .isEqualTo("mesh:///skill/text.summarize");
    assertThatThrownBy(() -> GrpcAgentInvoker.targetOf("bad skill"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
