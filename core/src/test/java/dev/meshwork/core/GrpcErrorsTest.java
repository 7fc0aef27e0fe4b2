package dev.meshwork.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.meshwork.api.agent.v1.AgentServiceGrpc;
import dev.meshwork.api.agent.v1.GetAgentCardRequest;
import dev.meshwork.api.agent.v1.GetAgentCardResponse;
import dev.meshwork.core.internal.ErrorMappingInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class GrpcErrorsTest {

  private final AtomicReference<RuntimeException> toThrow = new AtomicReference<>();
  private Server server;
  private ManagedChannel channel;
  private AgentServiceGrpc.AgentServiceBlockingStub stub;

  @BeforeEach
  void setUp() throws Exception {
    String name = InProcessServerBuilder.generateName();
    AgentServiceGrpc.AgentServiceImplBase throwing =
        new AgentServiceGrpc.AgentServiceImplBase() {
          @Override
          public void getAgentCard(
              GetAgentCardRequest request, StreamObserver<GetAgentCardResponse> observer) {
            throw toThrow.get();
          }
        };
    server =
        InProcessServerBuilder.forName(name)
            .directExecutor()
            .addService(ServerInterceptors.intercept(throwing, new ErrorMappingInterceptor()))
            .build()
            .start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    stub = AgentServiceGrpc.newBlockingStub(channel);
  }

  @AfterEach
  void tearDown() {
    channel.shutdownNow();
    server.shutdownNow();
  }

  private StatusRuntimeException call(RuntimeException e) {
    toThrow.set(e);
    return catchThrowableOfType(
        StatusRuntimeException.class, () -> stub.getAgentCard(GetAgentCardRequest.getDefaultInstance()));
  }

  @Test
  void invalidArgument_violations_roundTripAsBadRequest() {
    StatusRuntimeException e =
        call(
            MeshException.invalidArgument(
                List.of(
                    new FieldViolation("lease_ttl", "lease_ttl: 0s (expected: 1s..10m)"),
                    new FieldViolation("card.skills[1].id", "duplicate skill id 'x'"))));

    MeshException back = GrpcErrors.fromStatusException(e);

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(back.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(back.violations())
        .extracting(FieldViolation::field)
        .containsExactly("lease_ttl", "card.skills[1].id");
  }

  @Test
  void invalidArgument_ownReason_roundTripsWithItsViolations() {
    StatusRuntimeException e =
        call(
            MeshException.invalidArgument(
                "MALFORMED_JSON", List.of(new FieldViolation("body", "malformed JSON"))));

    MeshException back = GrpcErrors.fromStatusException(e);

    assertThat(back.reason()).isEqualTo("MALFORMED_JSON");
    assertThat(back.violations()).extracting(FieldViolation::field).containsExactly("body");
  }

  @Test
  void resourceExhausted_retryDelay_roundTripsAsRetryInfo() {
    StatusRuntimeException e =
        call(MeshException.resourceExhausted("SATURATED", "busy", Duration.ofMillis(1500)));

    MeshException back = GrpcErrors.fromStatusException(e);

    assertThat(back.reason()).isEqualTo("SATURATED");
    assertThat(back.retryAfter()).contains(Duration.ofMillis(1500));
  }

  @Test
  void notFound_reason_isInErrorInfo() {
    StatusRuntimeException e = call(MeshException.notFound("instance", "i-1"));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(e.getStatus().getDescription()).isEqualTo("instance 'i-1' not found");
    assertThat(GrpcErrors.reasonOf(e)).contains("INSTANCE_NOT_FOUND");
  }

  @Test
  void unexpectedException_becomesInternalWithoutDetails() {
    StatusRuntimeException e = call(new IllegalStateException("secret at line 42"));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
    assertThat(e.getStatus().getDescription()).isEqualTo("internal error");
    assertThat(e.getMessage()).doesNotContain("secret").doesNotContain("IllegalStateException");
  }
}
