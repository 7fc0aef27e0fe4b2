package dev.meshwork.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.meshwork.api.agent.v1.AgentServiceGrpc;
import dev.meshwork.api.agent.v1.GetAgentCardRequest;
import dev.meshwork.api.agent.v1.GetAgentCardResponse;
import dev.meshwork.api.common.v1.AgentCard;
import dev.meshwork.api.common.v1.Skill;
import dev.meshwork.api.registry.v1.DeregisterAgentRequest;
import dev.meshwork.api.registry.v1.RegisterAgentRequest;
import dev.meshwork.api.registry.v1.RegistryServiceGrpc;
import dev.meshwork.core.testing.FakeRegistry;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.LoadBalancerRegistry;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Channels to {@code mesh:} targets against real (plaintext) backends and a fake registry. */
class MeshChannelsMeshTargetTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  private final FakeRegistry fake = new FakeRegistry();
  private final String registryName = InProcessServerBuilder.generateName();
  private final List<Backend> backends = new ArrayList<>();
  private final List<ManagedChannel> channels = new ArrayList<>();
  private Server registryServer;
  private ManagedChannel registryChannel;
  private MeshChannels mesh;

  @BeforeEach
  void setUp() throws IOException {
    registryServer = InProcessServerBuilder.forName(registryName).addService(fake).build().start();
    registryChannel = InProcessChannelBuilder.forName(registryName).build();
    MeshTls tls =
        MeshTls.load(
            new TlsConfig(
                true,
                MeshIdentity.parseKindName(MeshIdentity.DEFAULT_TRUST_DOMAIN, "client/test"),
                Path.of("unused.crt"),
                Path.of("unused.key"),
                Path.of("unused-ca.crt"),
                Duration.ofSeconds(30)));
    mesh =
        MeshChannels.create(tls)
            .withResolver(
                new MeshNameResolverProvider(
                    registryChannel, Duration.ofMillis(50), Duration.ofMillis(200)));
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    for (ManagedChannel channel : channels) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    for (Backend backend : backends) {
      backend.server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    registryChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    registryServer.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  void defaultServiceConfig_namesRegisteredPolicies() {
    LoadBalancerRegistry registry = LoadBalancerRegistry.getDefaultRegistry();
    assertThat(registry.getProvider("meshwork_health_checking")).isNotNull();
    assertThat(registry.getProvider("outlier_detection_experimental")).isNotNull();
    assertThat(registry.getProvider("weighted_round_robin")).isNotNull();
    assertThat(registry.getProvider("round_robin")).isNotNull();
  }

  @Test
  void forTarget_meshSkill_spreadsCallsOverAllInstances() throws IOException {
    for (int i = 0; i < 3; i++) {
      register(startBackend(), "echo.say");
    }
    ManagedChannel channel = channel("mesh:///skill/echo.say");

    Map<Integer, Integer> counts = callMany(channel, 300);

    assertThat(counts).hasSize(3);
    assertThat(counts.values()).allSatisfy(n -> assertThat(n).isBetween(60, 140));
  }

  @Test
  void forTarget_instanceDeregistered_getsNoNewCalls() throws IOException {
    Backend leaving = startBackend();
    String leavingId = register(leaving, "echo.say");
    register(startBackend(), "echo.say");
    ManagedChannel channel = channel("mesh:///skill/echo.say");
    await().atMost(WAIT).until(() -> callMany(channel, 20).size() == 2);

    RegistryServiceGrpc.newBlockingStub(registryChannel)
        .deregisterAgent(DeregisterAgentRequest.newBuilder().setInstanceId(leavingId).build());

    await().atMost(WAIT).until(() -> !callMany(channel, 20).containsKey(leaving.port()));
    assertThat(callMany(channel, 100)).doesNotContainKey(leaving.port());
  }

  @Test
  void forTarget_instanceHealthNotServing_clientHealthCheckAvoidsIt() throws IOException {
    Backend sick = startBackend();
    register(sick, "echo.say");
    register(startBackend(), "echo.say");
    ManagedChannel channel = channel("mesh:///skill/echo.say");
    await().atMost(WAIT).until(() -> callMany(channel, 20).size() == 2);

    // The registry still lists it as serving: only the channel's own health check can tell.
    sick.health.setStatus("", ServingStatus.NOT_SERVING);

    await().atMost(WAIT).until(() -> !callMany(channel, 20).containsKey(sick.port()));
    assertThat(callMany(channel, 100)).doesNotContainKey(sick.port());
  }

  @Test
  void forTarget_instanceAnswersUnavailable_callIsRetriedOnAnother() throws IOException {
    Backend broken = startBackend(true);
    register(broken, "echo.say");
    Backend good = startBackend();
    register(good, "echo.say");
    ManagedChannel channel = channel("mesh:///skill/echo.say");
    // Connected to both (client-side health checking watches each instance once it is connected):
    // while only the broken one is, every attempt of a call can only go there.
    channel.getState(true);
    await()
        .atMost(WAIT)
        .until(() -> broken.healthWatches().get() > 0 && good.healthWatches().get() > 0);

    // Few calls: a steadily failing instance soon spends the channel's retry budget, by design
    // (outlier detection then ejects it).
    Map<Integer, Integer> counts = callMany(channel, 6);

    assertThat(counts).doesNotContainKey(broken.port()).hasSize(1);
    assertThat(broken.attempts().get()).isPositive();
  }

  @Test
  void forTarget_registryDown_callsKeepSucceeding() throws Exception {
    register(startBackend(), "echo.say");
    register(startBackend(), "echo.say");
    ManagedChannel channel = channel("mesh:///skill/echo.say");
    await().atMost(WAIT).until(() -> callMany(channel, 20).size() == 2);

    registryServer.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    registryChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);

    assertThat(callMany(channel, 200)).hasSize(2);
  }

  @Test
  void forTarget_unknownSkill_failsUnavailableNamingTheTarget() {
    ManagedChannel channel = channel("mesh:///skill/nobody.serves");

    assertThatThrownBy(
            () ->
                AgentServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(5, TimeUnit.SECONDS)
                    .getAgentCard(GetAgentCardRequest.getDefaultInstance()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
              assertThat(e.getStatus().getDescription())
                  .contains("no serving instance for mesh:///skill/nobody.serves");
            });
  }

  @Test
  void forTarget_meshTargetWithoutRegistry_explainsWhatIsMissing() {
    MeshChannels plain =
        MeshChannels.create(
            MeshTls.load(
                new TlsConfig(
                    true,
                    MeshIdentity.parseKindName(MeshIdentity.DEFAULT_TRUST_DOMAIN, "client/test"),
                    Path.of("a"),
                    Path.of("b"),
                    Path.of("c"),
                    Duration.ofSeconds(30))));

    assertThatThrownBy(() -> plain.forTarget("mesh:///skill/echo.say"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "target 'mesh:///skill/echo.say' needs the registry: use"
                + " MeshChannels.withRegistry(channel)");
  }

  @Test
  void forTarget_malformedMeshTarget_failsWithExpectedShape() {
    assertThatThrownBy(() -> mesh.forTarget("mesh:///skill/"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("skill id: ''");
  }

  private Map<Integer, Integer> callMany(ManagedChannel channel, int calls) {
    Map<Integer, Integer> counts = new TreeMap<>();
    AgentServiceGrpc.AgentServiceBlockingStub stub = AgentServiceGrpc.newBlockingStub(channel);
    for (int i = 0; i < calls; i++) {
      GetAgentCardResponse response =
          stub.withDeadlineAfter(5, TimeUnit.SECONDS)
              .withWaitForReady()
              .getAgentCard(GetAgentCardRequest.getDefaultInstance());
      counts.merge(Integer.parseInt(response.getCard().getVersion()), 1, Integer::sum);
    }
    return counts;
  }

  private ManagedChannel channel(String target) {
    ManagedChannel channel = mesh.forTarget(target);
    channels.add(channel);
    return channel;
  }

  private Backend startBackend() throws IOException {
    return startBackend(false);
  }

  /** A backend answering with its port, or (when {@code unavailable}) always UNAVAILABLE. */
  private Backend startBackend(boolean unavailable) throws IOException {
    HealthStatusManager health = new HealthStatusManager();
    AtomicInteger attempts = new AtomicInteger();
    AtomicInteger healthWatches = new AtomicInteger();
    int[] port = new int[1];
    Server server =
        Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
            .addService(
                ServerInterceptors.intercept(
                    health.getHealthService(),
                    new ServerInterceptor() {
                      @Override
                      public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
                          ServerCall<ReqT, RespT> call,
                          Metadata headers,
                          ServerCallHandler<ReqT, RespT> next) {
                        if (call.getMethodDescriptor().getBareMethodName().equals("Watch")) {
                          healthWatches.incrementAndGet();
                        }
                        return next.startCall(call, headers);
                      }
                    }))
            .addService(
                new AgentServiceGrpc.AgentServiceImplBase() {
                  @Override
                  public void getAgentCard(
                      GetAgentCardRequest request, StreamObserver<GetAgentCardResponse> out) {
                    attempts.incrementAndGet();
                    if (unavailable) {
                      out.onError(Status.UNAVAILABLE.withDescription("overloaded")
                          .asRuntimeException());
                      return;
                    }
                    // The port says which backend answered.
                    out.onNext(
                        GetAgentCardResponse.newBuilder()
                            .setCard(AgentCard.newBuilder().setVersion(String.valueOf(port[0])))
                            .build());
                    out.onCompleted();
                  }
                })
            .build()
            .start();
    port[0] = server.getPort();
    Backend backend = new Backend(server, health, attempts, healthWatches);
    backends.add(backend);
    return backend;
  }

  private String register(Backend backend, String skill) {
    return RegistryServiceGrpc.newBlockingStub(registryChannel)
        .registerAgent(
            RegisterAgentRequest.newBuilder()
                .setCard(
                    AgentCard.newBuilder().setName("echo")
                        .addSkills(Skill.newBuilder().setId(skill)))
                .setEndpoint(FakeRegistry.endpoint("127.0.0.1", backend.port()))
                .build())
        .getInstance()
        .getInstanceId();
  }

  private record Backend(
      Server server,
      HealthStatusManager health,
      AtomicInteger attempts,
      AtomicInteger healthWatches) {
    int port() {
      return server.getPort();
    }
  }
}
