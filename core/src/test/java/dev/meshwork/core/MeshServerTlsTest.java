package dev.meshwork.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.meshwork.api.agent.v1.AgentServiceGrpc;
import dev.meshwork.api.agent.v1.GetAgentCardRequest;
import dev.meshwork.api.agent.v1.GetAgentCardResponse;
import dev.meshwork.api.agent.v1.InvokeRequest;
import dev.meshwork.api.agent.v1.InvokeResponse;
import dev.meshwork.api.common.v1.AgentCard;
import dev.meshwork.core.testing.TestPki;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** MeshServer over real TLS on a loopback port: identities, policy, rotation, drain. */
class MeshServerTlsTest {

  @TempDir Path tmp;

  private TestPki pki;
  private MeshServer server;
  private final List<MeshChannels> clients = new ArrayList<>();
  private final List<ManagedChannel> channels = new ArrayList<>();
  private final List<String> seenCallers = new ArrayList<>();
  private volatile CountDownLatch release = new CountDownLatch(0);
  private final CountDownLatch entered = new CountDownLatch(1);
  private final CountDownLatch invoked = new CountDownLatch(1);

  @BeforeEach
  void setUp() {
    pki = TestPki.create(tmp.resolve("pki"), "registry/registry", "client/alice", "agent/echo");
    AgentServiceGrpc.AgentServiceImplBase service =
        new AgentServiceGrpc.AgentServiceImplBase() {
          @Override
          public void getAgentCard(
              GetAgentCardRequest request, StreamObserver<GetAgentCardResponse> observer) {
            seenCallers.add(CallerIdentity.current().map(MeshIdentity::kindAndName).orElse("-"));
            entered.countDown();
            try {
              release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            observer.onNext(
                GetAgentCardResponse.newBuilder()
                    .setCard(AgentCard.newBuilder().setName("echo"))
                    .build());
            observer.onCompleted();
          }

          @Override
          public void invoke(InvokeRequest request, StreamObserver<InvokeResponse> observer) {
            // Never answers, like a handler still waiting on something when its client leaves.
            invoked.countDown();
          }
        };
    ServerConfig config =
        new ServerConfig(
            "127.0.0.1",
            0,
            Duration.ofSeconds(5),
            java.util.Optional.empty(),
            tls("registry/registry"));
    server =
        MeshServer.builder(config)
            .addService(service)
            .policy(
                AuthorizationPolicy.builder()
                    .allow("meshwork.agent.v1.AgentService/*", "agent/*")
                    .build())
            .build()
            .start();
  }

  @AfterEach
  void tearDown() {
    release.countDown();
    channels.forEach(ManagedChannel::shutdownNow);
    clients.forEach(MeshChannels::close);
    server.shutdown();
  }

  private TlsConfig tls(String identity) {
    return new TlsConfig(
        false,
        pki.identity(identity),
        pki.certFile(identity),
        pki.keyFile(identity),
        pki.caCert(),
        Duration.ofMillis(200));
  }

  /** Mesh channels of {@code identity}, closed after the test. */
  private MeshChannels meshAs(String identity) {
    MeshChannels mesh = MeshChannels.create(tls(identity));
    clients.add(mesh);
    return mesh;
  }

  private ManagedChannel channelAs(String identity) {
    ManagedChannel channel = meshAs(identity).forTarget("localhost:" + server.port());
    channels.add(channel);
    return channel;
  }

  private ManagedChannel channel(ChannelCredentials credentials) {
    ManagedChannel channel =
        Grpc.newChannelBuilder("localhost:" + server.port(), credentials).build();
    channels.add(channel);
    return channel;
  }

  private static ServingStatus health(ManagedChannel channel) {
    return HealthGrpc.newBlockingStub(channel)
        .withDeadlineAfter(15, TimeUnit.SECONDS) // handshakes on a loaded 2-core machine
        .check(HealthCheckRequest.getDefaultInstance())
        .getStatus();
  }

  @Test
  void healthCheck_anyMeshIdentity_serving() {
    assertThat(health(channelAs("client/alice"))).isEqualTo(ServingStatus.SERVING);
  }

  @Test
  void call_allowedIdentity_succeedsAndServiceSeesCaller() {
    GetAgentCardResponse response =
        AgentServiceGrpc.newBlockingStub(channelAs("agent/echo"))
            .getAgentCard(GetAgentCardRequest.getDefaultInstance());

    assertThat(response.getCard().getName()).isEqualTo("echo");
    assertThat(seenCallers).containsExactly("agent/echo");
  }

  @Test
  void forTarget_chosenTransport_builtByItWithMeshIdentityAndPolicy() {
    MeshChannels mesh = meshAs("agent/echo");
    List<String> targets = new ArrayList<>();
    ManagedChannel channel =
        mesh.forTarget(
            "localhost:" + server.port(),
            (target, credentials) -> {
              targets.add(target);
              return NettyChannelBuilder.forTarget(target, credentials);
            });
    channels.add(channel);

    GetAgentCardResponse response =
        AgentServiceGrpc.newBlockingStub(channel)
            .getAgentCard(GetAgentCardRequest.getDefaultInstance());

    assertThat(targets).containsExactly("localhost:" + server.port());
    assertThat(response.getCard().getName()).isEqualTo("echo");
    assertThat(seenCallers).containsExactly("agent/echo");
  }

  @Test
  void forTarget_chosenTransportForMeshTarget_illegalArgument() {
    MeshChannels mesh = meshAs("agent/echo");

    IllegalArgumentException e =
        catchThrowableOfType(
            IllegalArgumentException.class,
            () -> mesh.forTarget("mesh:///skill/echo", NettyChannelBuilder::forTarget));

    assertThat(e)
        .hasMessage("target 'mesh:///skill/echo' (expected: host:port with a chosen transport)");
  }

  @Test
  void call_identityNotInPolicy_permissionDenied() {
    StatusRuntimeException e =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () ->
                AgentServiceGrpc.newBlockingStub(channelAs("client/alice"))
                    .getAgentCard(GetAgentCardRequest.getDefaultInstance()));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(e.getStatus().getDescription())
        .isEqualTo("client/alice may not call meshwork.agent.v1.AgentService/GetAgentCard");
    assertThat(seenCallers).isEmpty();
  }

  @Test
  void call_withoutClientCertificate_failsHandshake() throws Exception {
    ManagedChannel channel =
        channel(TlsChannelCredentials.newBuilder().trustManager(pki.caCert().toFile()).build());

    StatusRuntimeException e =
        catchThrowableOfType(StatusRuntimeException.class, () -> health(channel));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
  }

  @Test
  void call_certificateFromAnotherCa_failsHandshake() throws Exception {
    TestPki rogue = pki.unrelated(tmp.resolve("rogue"), "client/alice");
    ManagedChannel channel =
        channel(
            TlsChannelCredentials.newBuilder()
                .keyManager(
                    rogue.certFile("client/alice").toFile(), rogue.keyFile("client/alice").toFile())
                .trustManager(pki.caCert().toFile())
                .build());

    StatusRuntimeException e =
        catchThrowableOfType(StatusRuntimeException.class, () -> health(channel));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
  }

  @Test
  void rotation_newCertificateFiles_newConnectionsPresentNewSerial() throws Exception {
    BigInteger before = presentedSerial();
    IssuedCertificate renewed = pki.issue("registry/registry");
    assertThat(renewed.cert().getSerialNumber()).isNotEqualTo(before);

    pki.dir().write(pki.identity("registry/registry"), renewed);

    await()
        .atMost(Duration.ofSeconds(10))
        .until(this::presentedSerial, serial -> serial.equals(renewed.cert().getSerialNumber()));
    assertThat(health(channelAs("client/alice"))).isEqualTo(ServingStatus.SERVING);
  }

  @Test
  void shutdown_inFlightCall_finishesWithinGracePeriod() throws Exception {
    release = new CountDownLatch(1);
    CompletableFuture<GetAgentCardResponse> call =
        CompletableFuture.supplyAsync(
            () ->
                AgentServiceGrpc.newBlockingStub(channelAs("agent/echo"))
                    .getAgentCard(GetAgentCardRequest.getDefaultInstance()));
    assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();

    CompletableFuture<Void> stopping = CompletableFuture.runAsync(server::shutdown);
    // Health flips to NOT_SERVING while the call is still in flight...
    await().atMost(Duration.ofSeconds(5)).until(this::isNotServing);
    assertThat(call).isNotDone();
    release.countDown();

    // ...and the call still completes before the server stops.
    assertThat(call.get(10, TimeUnit.SECONDS).getCard().getName()).isEqualTo("echo");
    stopping.get(10, TimeUnit.SECONDS);
  }

  @Test
  void shutdown_callItsClientGaveUpOn_doesNotWaitForGracePeriod() throws Exception {
    // The handler never closes the call; its deadline passes and the client cancels. The call is
    // over: shutdown must not wait the grace period (5s here) for it.
    AgentServiceGrpc.AgentServiceBlockingStub stub =
        AgentServiceGrpc.newBlockingStub(channelAs("agent/echo"));
    StatusRuntimeException expired =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () ->
                stub.withDeadlineAfter(2, TimeUnit.SECONDS)
                    .invoke(InvokeRequest.getDefaultInstance()));
    assertThat(expired.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    assertThat(invoked.await(1, TimeUnit.SECONDS)).isTrue();

    CompletableFuture<Void> stopping = CompletableFuture.runAsync(server::shutdown);

    assertThat(stopping).succeedsWithin(Duration.ofSeconds(4));
  }

  @Test
  void shutdown_openHealthWatch_doesNotWaitForGracePeriod() throws Exception {
    // Client-side health checking keeps a Watch stream open on every server; shutdown must wait
    // for work, not for such subscriptions (the grace period here is 5s).
    ManagedChannel channel = channelAs("client/alice");
    CountDownLatch watching = new CountDownLatch(1);
    HealthGrpc.newStub(channel)
        .watch(
            HealthCheckRequest.getDefaultInstance(),
            new StreamObserver<>() {
              @Override
              public void onNext(io.grpc.health.v1.HealthCheckResponse value) {
                watching.countDown();
              }

              @Override
              public void onError(Throwable t) {}

              @Override
              public void onCompleted() {}
            });
    assertThat(watching.await(10, TimeUnit.SECONDS)).isTrue();

    CompletableFuture<Void> stopping = CompletableFuture.runAsync(server::shutdown);

    assertThat(stopping).succeedsWithin(Duration.ofSeconds(4));
  }

  private boolean isNotServing() {
    // The health service object answers locally; ask it directly as the server no longer accepts
    // new calls while draining.
    io.grpc.stub.StreamObserver<io.grpc.health.v1.HealthCheckResponse> sink =
        new io.grpc.stub.StreamObserver<>() {
          @Override
          public void onNext(io.grpc.health.v1.HealthCheckResponse value) {
            lastStatus = value.getStatus();
          }

          @Override
          public void onError(Throwable t) {}

          @Override
          public void onCompleted() {}
        };
    ((HealthGrpc.AsyncService) server.health().getHealthService())
        .check(HealthCheckRequest.getDefaultInstance(), sink);
    return lastStatus == ServingStatus.NOT_SERVING;
  }

  private volatile ServingStatus lastStatus;

  /** Opens a fresh TLS connection (no session cache) and returns the server's leaf serial. */
  private BigInteger presentedSerial() throws Exception {
    IssuedCertificate client = pki.issue("client/alice");
    KeyStore keyStore = KeyStore.getInstance("PKCS12");
    keyStore.load(null, null);
    keyStore.setKeyEntry(
        "client", client.key(), new char[0], client.chain().toArray(new X509Certificate[0]));
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keyStore, new char[0]);
    TrustManager acceptAll =
        new X509TrustManager() {
          @Override
          public void checkClientTrusted(X509Certificate[] chain, String authType) {}

          @Override
          public void checkServerTrusted(X509Certificate[] chain, String authType) {}

          @Override
          public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
          }
        };
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(kmf.getKeyManagers(), new TrustManager[] {acceptAll}, null);
    try (SSLSocket socket =
        (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", server.port())) {
      socket.setSoTimeout(5000);
      socket.setEnabledProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
      socket.setSSLParameters(withAlpn(socket));
      socket.startHandshake();
      return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
    }
  }

  private static javax.net.ssl.SSLParameters withAlpn(SSLSocket socket) {
    javax.net.ssl.SSLParameters params = socket.getSSLParameters();
    params.setApplicationProtocols(new String[] {"h2"});
    return params;
  }
}
