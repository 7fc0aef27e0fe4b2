package dev.meshwork.registry;

import static dev.meshwork.registry.testing.Requests.register;
import static dev.meshwork.registry.testing.Requests.renew;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.meshwork.api.registry.v1.AgentInstance;
import dev.meshwork.api.registry.v1.ListAgentInstancesRequest;
import dev.meshwork.api.registry.v1.RegistryServiceGrpc;
import dev.meshwork.api.registry.v1.RegistryServiceGrpc.RegistryServiceBlockingStub;
import dev.meshwork.api.registry.v1.WatchAgentInstancesRequest;
import dev.meshwork.api.registry.v1.WatchAgentInstancesResponse;
import dev.meshwork.core.GrpcErrors;
import dev.meshwork.core.MeshChannels;
import dev.meshwork.core.Settings;
import dev.meshwork.core.TlsConfig;
import dev.meshwork.core.testing.TestPki;
import dev.meshwork.registry.testing.RecordingObserver;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The registry as a real mTLS server, with certificates from a test CA. */
class RegistryServerTest {

  @TempDir Path tmp;

  private Path certDir;
  private final List<RegistryServer> servers = new ArrayList<>();
  private final List<MeshChannels> channelFactories = new ArrayList<>();
  private final List<ManagedChannel> channels = new ArrayList<>();

  @BeforeEach
  void createPki() {
    certDir = tmp.resolve("certs");
    TestPki.create(certDir, "registry/registry", "agent/echo", "agent/other", "client/dev");
  }

  @AfterEach
  void tearDown() {
    channels.forEach(ManagedChannel::shutdownNow);
    channelFactories.forEach(MeshChannels::close);
    servers.forEach(RegistryServer::shutdown);
  }

  @Test
  void registerAgent_overMtls_isListedForEveryIdentity() {
    RegistryServer server = startRegistry();

    AgentInstance instance =
        stub(server, "agent/echo").registerAgent(register("echo", 9000)).getInstance();

    assertThat(instance.getRegisteredBy()).isEqualTo("spiffe://meshwork.local/agent/echo");
    assertThat(
            stub(server, "client/dev")
                .listAgentInstances(ListAgentInstancesRequest.getDefaultInstance())
                .getInstancesList())
        .containsExactly(instance);
  }

  @Test
  void registerAgent_asClient_isDeniedByPolicy() {
    RegistryServer server = startRegistry();

    StatusRuntimeException e = catchThrowableOfType(
        StatusRuntimeException.class,
        () -> stub(server, "client/dev").registerAgent(register("echo", 9000)));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
  }

  @Test
  void registerAgent_asOtherAgent_isDeniedByRegistry() {
    RegistryServer server = startRegistry();

    StatusRuntimeException e = catchThrowableOfType(
        StatusRuntimeException.class,
        () -> stub(server, "agent/other").registerAgent(register("echo", 9000)));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(e.getStatus().getDescription())
        .isEqualTo("agent/other may not register instances of agent 'echo' (only agent/echo may)");
  }

  @Test
  void shutdown_withOpenWatch_endsWatchUnavailableWithoutWaitingForGrace() {
    RegistryServer server = startRegistry();
    RecordingObserver<WatchAgentInstancesRequest, WatchAgentInstancesResponse> watch =
        RecordingObserver.eager();
    RegistryServiceGrpc.newStub(channel(server, "client/dev"))
        .watchAgentInstances(WatchAgentInstancesRequest.getDefaultInstance(), watch);
    await().until(() -> watch.values().size() == 1);

    // The grace period is 20s: a watch left open would hold shutdown for all of it.
    assertTimeoutPreemptively(Duration.ofSeconds(10), server::shutdown);

    await().until(watch::failed);
    assertThat(watch.error().getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(GrpcErrors.reasonOf(watch.error())).hasValue("REGISTRY_SHUTTING_DOWN");
  }

  @Test
  void restart_agentRenewing_getsNotFoundThenReRegistersWithSameId() {
    RegistryServer first = startRegistry();
    String id = stub(first, "agent/echo").registerAgent(register("echo", 9000)).getInstance()
        .getInstanceId();
    long seen = first.registry().currentRevision();
    first.shutdown();

    RegistryServer second = startRegistry();
    StatusRuntimeException renewal = catchThrowableOfType(
        StatusRuntimeException.class, () -> stub(second, "agent/echo").renewLease(renew(id)));
    String again = stub(second, "agent/echo").registerAgent(register("echo", 9000)).getInstance()
        .getInstanceId();
    StatusRuntimeException resume = catchThrowableOfType(
        StatusRuntimeException.class,
        () -> stub(second, "client/dev")
            .watchAgentInstances(
                WatchAgentInstancesRequest.newBuilder().setAfterRevision(seen).build())
            .next());

    assertThat(renewal.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(again).isEqualTo(id);
    assertThat(resume.getStatus().getCode()).isEqualTo(Status.Code.OUT_OF_RANGE);
    assertThat(GrpcErrors.reasonOf(resume)).hasValue("REVISION_COMPACTED");
  }

  private RegistryServer startRegistry() {
    Settings settings =
        Settings.of(new String[] {"--port=0", "--cert-dir=" + certDir}, Map.of());
    RegistryServer server = RegistryServer.start(RegistryConfig.fromSettings(settings));
    servers.add(server);
    return server;
  }

  private RegistryServiceBlockingStub stub(RegistryServer server, String identity) {
    return RegistryServiceGrpc.newBlockingStub(channel(server, identity))
        .withDeadlineAfter(Duration.ofSeconds(10));
  }

  private ManagedChannel channel(RegistryServer server, String identity) {
    Settings settings =
        Settings.of(new String[] {"--identity=" + identity, "--cert-dir=" + certDir}, Map.of());
    MeshChannels factory = MeshChannels.create(TlsConfig.fromSettings(settings, identity));
    channelFactories.add(factory);
    ManagedChannel channel = factory.forTarget("localhost:" + server.port());
    channels.add(channel);
    return channel;
  }
}
