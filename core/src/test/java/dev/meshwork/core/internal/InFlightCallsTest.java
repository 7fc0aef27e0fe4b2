package dev.meshwork.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.meshwork.api.agent.v1.AgentServiceGrpc;
import dev.meshwork.api.agent.v1.GetAgentCardRequest;
import dev.meshwork.api.agent.v1.GetAgentCardResponse;
import dev.meshwork.api.agent.v1.InvokeRequest;
import dev.meshwork.api.agent.v1.InvokeResponse;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class InFlightCallsTest {

  private static final Metadata.Key<String> REFUSE =
      Metadata.Key.of("refuse", Metadata.ASCII_STRING_MARSHALLER);

  private final InFlightCalls inFlight = new InFlightCalls();
  private final CountDownLatch invoked = new CountDownLatch(1);
  private Server server;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    AgentServiceGrpc.AgentServiceImplBase service =
        new AgentServiceGrpc.AgentServiceImplBase() {
          @Override
          public void getAgentCard(
              GetAgentCardRequest request, StreamObserver<GetAgentCardResponse> out) {
            out.onNext(GetAgentCardResponse.getDefaultInstance());
            out.onCompleted();
          }

          @Override
          public void invoke(InvokeRequest request, StreamObserver<InvokeResponse> out) {
            invoked.countDown(); // and never answers
          }
        };
    ServerInterceptor refusingInvoke =
        new ServerInterceptor() {
          @Override
          public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
              ServerCall<ReqT, RespT> call,
              Metadata headers,
              ServerCallHandler<ReqT, RespT> next) {
            if (headers.containsKey(REFUSE)) {
              throw new IllegalStateException("refused while starting");
            }
            return next.startCall(call, headers);
          }
        };
    String name = InProcessServerBuilder.generateName();
    // Listed inner first: InFlightCalls is the outermost.
    server =
        InProcessServerBuilder.forName(name)
            .addService(ServerInterceptors.intercept(service, refusingInvoke, inFlight))
            .build()
            .start();
    channel = InProcessChannelBuilder.forName(name).build();
  }

  @AfterEach
  void stop() {
    channel.shutdownNow();
    server.shutdownNow();
  }

  @Test
  void awaitIdle_callAnswered_isIdle() throws Exception {
    AgentServiceGrpc.newBlockingStub(channel).getAgentCard(GetAgentCardRequest.getDefaultInstance());

    assertThat(inFlight.awaitIdle(2, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void awaitIdle_callInFlight_isNotIdleUntilItsDeadlineCancelsIt() throws Exception {
    AgentServiceGrpc.AgentServiceStub stub = AgentServiceGrpc.newStub(channel);
    CountDownLatch failed = new CountDownLatch(1);
    stub.withDeadlineAfter(1, TimeUnit.SECONDS)
        .invoke(
            InvokeRequest.getDefaultInstance(),
            new StreamObserver<>() {
              @Override
              public void onNext(InvokeResponse value) {}

              @Override
              public void onError(Throwable t) {
                failed.countDown();
              }

              @Override
              public void onCompleted() {}
            });
    assertThat(invoked.await(2, TimeUnit.SECONDS)).isTrue();

    assertThat(inFlight.awaitIdle(100, TimeUnit.MILLISECONDS)).isFalse();
    assertThat(failed.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(inFlight.awaitIdle(2, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void awaitIdle_callRefusedWhileStarting_isIdle() throws Exception {
    Metadata refuse = new Metadata();
    refuse.put(REFUSE, "yes");
    StatusRuntimeException e =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () ->
                AgentServiceGrpc.newBlockingStub(channel)
                    .withInterceptors(
                        io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(refuse))
                    .getAgentCard(GetAgentCardRequest.getDefaultInstance()));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNKNOWN);
    assertThat(inFlight.awaitIdle(2, TimeUnit.SECONDS)).isTrue();
  }
}
