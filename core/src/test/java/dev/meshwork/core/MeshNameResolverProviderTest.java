package dev.meshwork.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.util.Durations;
import dev.meshwork.api.common.v1.AgentCard;
import dev.meshwork.api.common.v1.Skill;
import dev.meshwork.api.registry.v1.DeregisterAgentRequest;
import dev.meshwork.api.registry.v1.HealthState;
import dev.meshwork.api.registry.v1.RegisterAgentRequest;
import dev.meshwork.api.registry.v1.RegistryServiceGrpc;
import dev.meshwork.core.testing.FakeRegistry;
import dev.meshwork.core.testing.RecordingListener;
import io.grpc.ManagedChannel;
import io.grpc.NameResolver;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.SynchronizationContext;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MeshNameResolverProviderTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  private final FakeRegistry fake = new FakeRegistry();
  private final String serverName = InProcessServerBuilder.generateName();
  private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(1);
  private final List<NameResolver> resolvers = new ArrayList<>();
  private Server registryServer;
  private ManagedChannel registryChannel;
  private MeshNameResolverProvider provider;

  @BeforeEach
  void setUp() throws IOException {
    startRegistry();
    registryChannel = InProcessChannelBuilder.forName(serverName).build();
    provider =
        new MeshNameResolverProvider(
            registryChannel, Duration.ofMillis(50), Duration.ofMillis(200));
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    SynchronizationContext sync = syncContext();
    resolvers.forEach(r -> sync.execute(r::shutdown));
    registryChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    registryServer.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    scheduler.shutdownNow();
  }

  @Test
  void resolve_registeredInstances_publishesTheirAddresses() {
    register("text", 7001, "text.keywords");
    register("text", 7002, "text.keywords", "text.summarize");
    register("data", 7003, "data.stats");

    RecordingListener skill = start("mesh:///skill/text.keywords");
    RecordingListener agent = start("mesh:///agent/data");

    await().atMost(WAIT).until(() -> skill.ports().size() == 2);
    assertThat(skill.ports()).containsExactlyInAnyOrder(7001, 7002);
    await().atMost(WAIT).until(() -> agent.ports().size() == 1);
    assertThat(agent.ports()).containsExactly(7003);
  }

  @Test
  void resolve_instanceAddedLater_publishesIt() {
    register("text", 7001, "text.keywords");
    RecordingListener listener = start("mesh:///skill/text.keywords");
    await().atMost(WAIT).until(() -> listener.ports().equals(List.of(7001)));

    register("text", 7002, "text.keywords");

    await().atMost(WAIT).until(() -> listener.ports().size() == 2);
    assertThat(listener.ports()).containsExactlyInAnyOrder(7001, 7002);
  }

  @Test
  void resolve_instanceDrainingOrNotServing_leavesItOutUntilServingAgain() {
    String first = register("text", 7001, "text.keywords");
    String second = register("text", 7002, "text.keywords");
    RecordingListener listener = start("mesh:///skill/text.keywords");
    await().atMost(WAIT).until(() -> listener.ports().size() == 2);

    fake.setHealth(first, HealthState.HEALTH_STATE_DRAINING);
    await().atMost(WAIT).until(() -> listener.ports().equals(List.of(7002)));
    fake.setHealth(second, HealthState.HEALTH_STATE_NOT_SERVING);
    await().atMost(WAIT).until(() -> listener.error() != null);
    fake.setHealth(first, HealthState.HEALTH_STATE_SERVING);

    await().atMost(WAIT).until(() -> listener.ports().equals(List.of(7001)));
  }

  @Test
  void resolve_lastInstanceDeregistered_reportsNoServingInstance() {
    String id = register("text", 7001, "text.keywords");
    RecordingListener listener = start("mesh:///skill/text.keywords");
    await().atMost(WAIT).until(() -> listener.ports().size() == 1);

    RegistryServiceGrpc.newBlockingStub(registryChannel)
        .deregisterAgent(DeregisterAgentRequest.newBuilder().setInstanceId(id).build());

    await().atMost(WAIT).until(() -> listener.error() != null);
    assertThat(listener.error().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(listener.error().getDescription())
        .isEqualTo("no serving instance for mesh:///skill/text.keywords in the registry");
  }

  @Test
  void resolve_registryDown_keepsLastAddressesAndResumesFromLastRevision() throws Exception {
    String first = register("text", 7001, "text.keywords");
    register("text", 7002, "text.keywords");
    RecordingListener listener = start("mesh:///skill/text.keywords");
    await().atMost(WAIT).until(() -> listener.ports().size() == 2);
    long seenRevision = fake.revision();
    int resultsBefore = listener.results();

    registryServer.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    // Several retries fail meanwhile (backoff 50..200ms); nothing is withdrawn.
    await()
        .during(Duration.ofMillis(800))
        .atMost(WAIT)
        .until(() -> listener.results() == resultsBefore && listener.ports().size() == 2);

    fake.expire(first); // happens while the client cannot see it
    startRegistry();

    await().atMost(WAIT).until(() -> listener.ports().equals(List.of(7002)));
    assertThat(fake.watchRevisions()).first().isEqualTo(0L);
    assertThat(fake.watchRevisions()).last().isEqualTo(seenRevision);
  }

  @Test
  void resolve_historyCompacted_takesNewSnapshot() throws Exception {
    // A snapshot cannot tell an expired instance from one a restarted registry does not know yet,
    // so a vanished instance stays usable for its lease TTL: 1s here.
    String first = registerWithTtl("text", 7001, Duration.ofSeconds(1), "text.keywords");
    RecordingListener listener = start("mesh:///skill/text.keywords");
    await().atMost(WAIT).until(() -> listener.ports().size() == 1);
    long seenRevision = fake.revision();

    registryServer.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    fake.expire(first);
    fake.compactHistory(); // the changes since seenRevision are gone: resuming is impossible
    startRegistry();
    register("text", 7003, "text.keywords");

    await().atMost(WAIT).until(() -> listener.ports().equals(List.of(7003)));
    List<Long> watches = fake.watchRevisions();
    assertThat(watches).containsSubsequence(seenRevision, 0L);
  }

  @Test
  void resolve_registryRestartedEmpty_keepsVanishedInstancesUntilTheyRegisterAgain() {
    register("text", 7001, "text.keywords");
    register("text", 7002, "text.keywords");
    RecordingListener listener = start("mesh:///skill/text.keywords");
    await().atMost(WAIT).until(() -> listener.ports().size() == 2);

    fake.restart(); // empty, revision 0: the resume fails with OUT_OF_RANGE, the snapshot is empty
    await().atMost(WAIT).until(() -> fake.openWatches() == 1);
    assertThat(listener.ports()).containsExactlyInAnyOrder(7001, 7002);

    register("text", 7001, "text.keywords");
    register("text", 7004, "text.keywords");
    await().atMost(WAIT).until(() -> listener.ports().size() == 3);
    assertThat(listener.ports()).containsExactly(7001, 7002, 7004); // 7002 stale, still in
  }

  @Test
  void resolve_vanishedInstanceNotBackWithinItsLease_isDropped() {
    registerWithTtl("text", 7001, Duration.ofSeconds(1), "text.keywords");
    registerWithTtl("text", 7002, Duration.ofMinutes(1), "text.keywords");
    RecordingListener listener = start("mesh:///skill/text.keywords");
    await().atMost(WAIT).until(() -> listener.ports().size() == 2);

    fake.restart();
    registerWithTtl("text", 7002, Duration.ofMinutes(1), "text.keywords");

    await().atMost(WAIT).until(() -> listener.ports().equals(List.of(7002)));
  }

  @Test
  void resolve_registryUnreachableAtStart_reportsUnavailableThenResolves() throws Exception {
    registryServer.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    RecordingListener listener = start("mesh:///skill/text.keywords");

    await().atMost(WAIT).until(() -> listener.error() != null);
    assertThat(listener.error().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(listener.error().getDescription())
        .startsWith("registry unreachable while resolving mesh:///skill/text.keywords");

    startRegistry();
    register("text", 7001, "text.keywords");
    await().atMost(WAIT).until(() -> listener.ports().equals(List.of(7001)));
  }

  @Test
  void newNameResolver_otherScheme_returnsNull() {
    assertThat(provider.newNameResolver(URI.create("dns:///localhost:1"), args())).isNull();
  }

  @Test
  void newNameResolver_badMeshTarget_failsWithExpectedShape() {
    assertThatThrownBy(() -> provider.newNameResolver(URI.create("mesh:///service/x"), args()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "target: 'mesh:///service/x' (expected: mesh:///skill/<skill-id> or"
                + " mesh:///agent/<name>)");
  }

  @Test
  void getServiceAuthority_skillTarget_isTheSkillId() {
    NameResolver resolver =
        provider.newNameResolver(URI.create("mesh:///skill/text.keywords"), args());
    assertThat(resolver.getServiceAuthority()).isEqualTo("text.keywords");
  }

  private RecordingListener start(String target) {
    NameResolver.Args args = args();
    NameResolver resolver = provider.newNameResolver(URI.create(target), args);
    resolvers.add(resolver);
    RecordingListener listener = new RecordingListener();
    args.getSynchronizationContext().execute(() -> resolver.start(listener));
    return listener;
  }

  private String register(String name, int port, String... skills) {
    return registerWithTtl(name, port, Duration.ofSeconds(15), skills);
  }

  private String registerWithTtl(String name, int port, Duration ttl, String... skills) {
    AgentCard.Builder card = AgentCard.newBuilder().setName(name);
    for (String skill : skills) {
      card.addSkills(Skill.newBuilder().setId(skill));
    }
    return RegistryServiceGrpc.newBlockingStub(registryChannel)
        .withWaitForReady() // the channel may still be backing off from a stopped registry
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .registerAgent(
            RegisterAgentRequest.newBuilder()
                .setCard(card)
                .setEndpoint(FakeRegistry.endpoint("127.0.0.1", port))
                .setLeaseTtl(Durations.fromMillis(ttl.toMillis()))
                .build())
        .getInstance()
        .getInstanceId();
  }

  private void startRegistry() throws IOException {
    registryServer = InProcessServerBuilder.forName(serverName).addService(fake).build().start();
  }

  private final SynchronizationContext sync =
      new SynchronizationContext(
          (thread, e) -> {
            throw new AssertionError("uncaught in synchronization context", e);
          });

  private SynchronizationContext syncContext() {
    return sync;
  }

  private NameResolver.Args args() {
    return NameResolver.Args.newBuilder()
        .setDefaultPort(443)
        .setProxyDetector(address -> null)
        .setSynchronizationContext(sync)
        .setScheduledExecutorService(scheduler)
        .setServiceConfigParser(
            new NameResolver.ServiceConfigParser() {
              @Override
              public NameResolver.ConfigOrError parseServiceConfig(java.util.Map<String, ?> raw) {
                return NameResolver.ConfigOrError.fromConfig(raw);
              }
            })
        .build();
  }
}
