package dev.meshwork.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meshwork.api.agent.v1.AgentServiceGrpc;
import dev.meshwork.api.agent.v1.InvokeRequest;
import dev.meshwork.api.agent.v1.InvokeResponse;
import dev.meshwork.api.registry.v1.AgentInstance;
import dev.meshwork.core.testing.FakeRegistry;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MeshAgentLifecycleTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  private final AgentTestBed bed = new AgentTestBed();

  @AfterEach
  void tearDown() throws InterruptedException {
    bed.close();
  }

  @Test
  void start_registryUp_registersCardWithTheRealPort() {
    bed.startRegistry();
    MeshAgent agent = bed.started(echoAgent());

    await().atMost(WAIT).until(() -> agent.instanceId().isPresent());
    AgentInstance instance = bed.registry.instances().get(agent.instanceId().get());
    assertThat(agent.port()).isPositive();
    assertThat(instance.getEndpoint().getHost()).isEqualTo("127.0.0.1");
    assertThat(instance.getEndpoint().getPort()).isEqualTo(agent.port());
    assertThat(instance.getCard().getName()).isEqualTo("echo");
    assertThat(instance.getCard().getSkills(0).getId()).isEqualTo("echo.say");
    assertThat(instance.getLeaseTtl().getSeconds()).isEqualTo(3);
  }

  @Test
  void lease_running_isRenewedEveryThirdOfTheTtlWithLoad() {
    bed.startRegistry();
    bed.started(echoAgent().utilization(() -> 0.42));

    // TTL 3s: a renewal about every second.
    await().atMost(WAIT).until(() -> bed.registry.count("RenewLease") >= 3);
    FakeRegistry.Call renewal =
        bed.registry.calls().stream().filter(c -> c.method().equals("RenewLease")).findFirst()
            .orElseThrow();
    assertThat(renewal.load().getUtilization()).isEqualTo(0.42);
    assertThat(renewal.load().getInFlight()).isZero();
    List<FakeRegistry.Call> calls = bed.registry.calls();
    assertThat(calls.stream().filter(c -> c.method().equals("RegisterAgent")).count()).isEqualTo(1);
  }

  @Test
  void lease_registryForgetsInstance_registersAgain() {
    bed.startRegistry();
    MeshAgent agent = bed.started(echoAgent());
    await().atMost(WAIT).until(() -> agent.instanceId().isPresent());

    bed.registry.restart(); // the next renewal gets NOT_FOUND

    await().atMost(WAIT).until(() -> bed.registry.count("RegisterAgent") == 2);
    await().atMost(WAIT).until(() -> bed.registry.instancesOf("echo").size() == 1);
    assertThat(bed.registry.instancesOf("echo").get(0).getEndpoint().getPort())
        .isEqualTo(agent.port());
  }

  @Test
  void start_registryDown_servesAnywayAndRegistersWhenItComesUp() {
    MeshAgent agent = bed.started(echoAgent());

    InvokeResponse response = say(bed.channelTo(agent), "still here");
    assertThat(response.getOutput(0).getText()).isEqualTo("still here");
    assertThat(agent.instanceId()).isEmpty();

    bed.startRegistry();

    await().atMost(WAIT).until(() -> agent.instanceId().isPresent());
    assertThat(bed.registry.instancesOf("echo")).hasSize(1);
  }

  @Test
  void start_registryNone_servesWithoutRegistering() {
    bed.startRegistry();
    MeshAgent agent =
        bed.started(
            MeshAgent.builder()
                .name("echo")
                .skill(SkillSpec.of("echo.say", "Echoes"), (ctx, input) -> input)
                .serverConfig(AgentTestBed.insecureConfig("echo", Duration.ofSeconds(1)))
                .registry("none")
                .drainDelay(Duration.ZERO));

    assertThat(say(bed.channelTo(agent), "hi").getOutput(0).getText()).isEqualTo("hi");
    assertThat(agent.instanceId()).isEmpty();
    assertThat(bed.registry.calls()).isEmpty();
  }

  @Test
  void shutdown_duringCall_deregistersThenTurnsNotServingThenFinishesTheCall() throws Exception {
    bed.startRegistry();
    CountDownLatch callStarted = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    MeshAgent agent =
        bed.started(
            echoAgent()
                .drainDelay(Duration.ofMillis(200))
                .skill(SkillSpec.of("echo.wait", "Waits for the test"),
                    (ctx, input) -> {
                      callStarted.countDown();
                      release.await();
                      return List.of(Parts.text("finished"));
                    }));
    await().atMost(WAIT).until(() -> agent.instanceId().isPresent());
    ManagedChannel channel = bed.channelTo(agent);
    AtomicLong notServingAt = watchNotServing(channel);
    CompletableFuture<InvokeResponse> inFlight =
        CompletableFuture.supplyAsync(
            () ->
                AgentServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(10, TimeUnit.SECONDS)
                    .invoke(InvokeRequest.newBuilder().setSkillId("echo.wait").build()));
    assertThat(callStarted.await(5, TimeUnit.SECONDS)).isTrue();

    CompletableFuture<Void> shutdown = CompletableFuture.runAsync(agent::shutdown);
    await().atMost(WAIT).until(() -> notServingAt.get() > 0);
    release.countDown();

    assertThat(inFlight.get(10, TimeUnit.SECONDS).getOutput(0).getText()).isEqualTo("finished");
    shutdown.get(10, TimeUnit.SECONDS);
    long deregisteredAt =
        bed.registry.calls().stream().filter(c -> c.method().equals("DeregisterAgent"))
            .findFirst().orElseThrow().sequence();
    assertThat(deregisteredAt).isLessThan(notServingAt.get());
    assertThat(bed.registry.instancesOf("echo")).isEmpty();
  }

  private MeshAgent.Builder echoAgent() {
    return bed.agent("echo")
        .skill(SkillSpec.of("echo.say", "Echoes"), (ctx, input) -> input);
  }

  private static InvokeResponse say(ManagedChannel channel, String text) {
    return AgentServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(5, TimeUnit.SECONDS)
        .invoke(
            InvokeRequest.newBuilder().setSkillId("echo.say").addInput(Parts.text(text)).build());
  }

  /** Watches the agent's health; records the global sequence number when NOT_SERVING arrives. */
  private static AtomicLong watchNotServing(ManagedChannel channel) {
    AtomicLong at = new AtomicLong();
    CountDownLatch serving = new CountDownLatch(1);
    HealthGrpc.newStub(channel)
        .watch(
            HealthCheckRequest.newBuilder().setService("").build(),
            new StreamObserver<>() {
              @Override
              public void onNext(HealthCheckResponse response) {
                if (response.getStatus() == ServingStatus.SERVING) {
                  serving.countDown();
                } else if (at.get() == 0) {
                  at.set(FakeRegistry.sequence());
                }
              }

              @Override
              public void onError(Throwable t) {}

              @Override
              public void onCompleted() {}
            });
    try {
      assertThat(serving.await(5, TimeUnit.SECONDS)).isTrue();
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
    return at;
  }
}
