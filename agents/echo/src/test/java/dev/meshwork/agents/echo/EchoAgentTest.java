package dev.meshwork.agents.echo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import dev.meshwork.agent.MeshAgent;
import dev.meshwork.agent.Parts;
import dev.meshwork.agents.echo.internal.EchoSkills;
import dev.meshwork.api.agent.v1.AgentServiceGrpc;
import dev.meshwork.api.agent.v1.GetAgentCardRequest;
import dev.meshwork.api.agent.v1.InvokeRequest;
import dev.meshwork.api.agent.v1.InvokeStreamRequest;
import dev.meshwork.api.agent.v1.InvokeStreamResponse;
import dev.meshwork.api.common.v1.AgentCard;
import dev.meshwork.api.common.v1.Part;
import dev.meshwork.api.common.v1.Skill;
import dev.meshwork.core.MeshIdentity;
import dev.meshwork.core.ServerConfig;
import dev.meshwork.core.TlsConfig;
import dev.meshwork.core.testing.FakeRegistry;
import io.grpc.Context;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.protobuf.StatusProto;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The java-echo agent served for real (plaintext, a free port) and registered with an in-process
 * fake registry: the conformance profile seen from a gRPC client.
 */
class EchoAgentTest {

  private final FakeRegistry registry = new FakeRegistry();
  private Server registryServer;
  private ManagedChannel registryChannel;
  private MeshAgent agent;
  private ManagedChannel channel;
  private AgentServiceGrpc.AgentServiceBlockingStub stub;

  @BeforeEach
  void setUp() throws IOException {
    String name = InProcessServerBuilder.generateName();
    registryServer = InProcessServerBuilder.forName(name).addService(registry).build().start();
    registryChannel = InProcessChannelBuilder.forName(name).build();
    agent =
        EchoSkills.addTo(
                EchoAgentMain.builder()
                    .serverConfig(insecure())
                    .registryChannel(registryChannel)
                    .leaseTtl(Duration.ofSeconds(1))
                    .drainDelay(Duration.ZERO))
            .start();
    channel =
        Grpc.newChannelBuilderForAddress(
                "127.0.0.1", agent.port(), InsecureChannelCredentials.create())
            .build();
    stub = AgentServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    agent.shutdown();
    registryChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    registryServer.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  void start_registersCardWithEchoAndSlow() {
    await().atMost(Duration.ofSeconds(5)).until(() -> agent.instanceId().isPresent());

    AgentCard card = registry.instancesOf("java-echo").get(0).getCard();
    assertThat(card.getSkillsList())
        .extracting(Skill::getId)
        .containsExactly(EchoSkills.ECHO, EchoSkills.SLOW);
    assertThat(card.getLabelsMap()).containsEntry("language", "java");
    assertThat(stub.getAgentCard(GetAgentCardRequest.getDefaultInstance()).getCard())
        .isEqualTo(card);
  }

  @Test
  void invoke_echo_returnsPartsUnchanged() {
    List<Part> parts = List.of(Parts.text("hello"), Parts.data(Map.of("n", 1)));

    assertThat(stub.invoke(request(EchoSkills.ECHO, parts)).getOutputList()).isEqualTo(parts);
  }

  @Test
  void invoke_echoWithoutInput_invalidArgumentWithDetails() {
    assertThatThrownBy(() -> stub.invoke(request(EchoSkills.ECHO, List.of())))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
              assertThat(detail(e, ErrorInfo.class).getDomain()).isEqualTo("meshwork.dev");
              assertThat(detail(e, BadRequest.class).getFieldViolations(0).getField())
                  .isEqualTo("input");
            });
  }

  @Test
  void invoke_slowPastItsDeadline_deadlineExceededAndWorkStops() {
    long started = System.nanoTime();

    assertThatThrownBy(
            () ->
                stub.withDeadlineAfter(300, TimeUnit.MILLISECONDS)
                    .invoke(request(EchoSkills.SLOW, slow(100, 100))))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
    await().atMost(Duration.ofSeconds(2)).until(() -> agent.inFlight() == 0);
  }

  @Test
  void invokeStream_slow_statusPerStepThenOneResult() {
    List<InvokeStreamResponse> events = new ArrayList<>();
    stub.invokeStream(streamRequest(slow(3, 10))).forEachRemaining(events::add);

    assertThat(events)
        .extracting(InvokeStreamResponse::getEventCase)
        .containsExactly(
            InvokeStreamResponse.EventCase.STATUS,
            InvokeStreamResponse.EventCase.STATUS,
            InvokeStreamResponse.EventCase.STATUS,
            InvokeStreamResponse.EventCase.RESULT);
    assertThat(events.get(2).getStatus().getMessage()).isEqualTo("step 3/3");
  }

  @Test
  void invokeStream_cancelledByCaller_workStops() throws Exception {
    Context.CancellableContext call = Context.current().withCancellation();
    Iterator<InvokeStreamResponse> events =
        call.call(() -> stub.invokeStream(streamRequest(slow(200, 100))));

    assertThat(events.next().getEventCase()).isEqualTo(InvokeStreamResponse.EventCase.STATUS);
    assertThat(agent.inFlight()).isEqualTo(1);
    call.cancel(null);

    await().atMost(Duration.ofSeconds(2)).until(() -> agent.inFlight() == 0);
  }

  private static InvokeRequest request(String skill, List<Part> input) {
    return InvokeRequest.newBuilder().setSkillId(skill).addAllInput(input).build();
  }

  private static InvokeStreamRequest streamRequest(List<Part> input) {
    return InvokeStreamRequest.newBuilder().setSkillId(EchoSkills.SLOW).addAllInput(input).build();
  }

  private static List<Part> slow(int steps, int delayMs) {
    return List.of(Parts.data(Map.of("steps", steps, "delay_ms", delayMs)));
  }

  private static <T extends Message> T detail(StatusRuntimeException e, Class<T> type) {
    try {
      for (Any detail : StatusProto.fromThrowable(e).getDetailsList()) {
        if (detail.is(type)) {
          return detail.unpack(type);
        }
      }
    } catch (InvalidProtocolBufferException bad) {
      throw new AssertionError(bad);
    }
    throw new AssertionError("no " + type.getSimpleName() + " detail in " + e);
  }

  private static ServerConfig insecure() {
    return new ServerConfig(
        "127.0.0.1",
        0,
        Duration.ofSeconds(1),
        Optional.empty(),
        new TlsConfig(
            true,
            MeshIdentity.parseKindName(
                MeshIdentity.DEFAULT_TRUST_DOMAIN, "agent/" + EchoAgentMain.NAME),
            Path.of("unused.crt"),
            Path.of("unused.key"),
            Path.of("unused-ca.crt"),
            Duration.ofSeconds(30)));
  }
}
