package dev.meshwork.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meshwork.api.orchestrator.v1.Run;
import dev.meshwork.api.orchestrator.v1.RunEventType;
import dev.meshwork.api.orchestrator.v1.RunState;
import dev.meshwork.core.AuthorizationPolicy;
import dev.meshwork.core.MeshChannels;
import dev.meshwork.core.MeshServer;
import dev.meshwork.core.ServerConfig;
import dev.meshwork.core.Settings;
import dev.meshwork.core.TlsConfig;
import dev.meshwork.core.testing.TestPki;
import dev.meshwork.gateway.internal.ApiKeyStore;
import dev.meshwork.gateway.internal.ChannelPool;
import dev.meshwork.gateway.internal.UpstreamChannels;
import dev.meshwork.gateway.testing.FakeOrchestrator;
import dev.meshwork.gateway.testing.FakeRegistry;
import dev.meshwork.gateway.testing.FakeRunStatus;
import io.grpc.ManagedChannel;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The production wiring, real TLS on both sides: HTTPS with the gateway's mesh certificate to an
 * HTTP client trusting the mesh CA, and mTLS as {@code gateway/gateway} to a {@link MeshServer}
 * whose authorization policy admits the gateway.
 */
class MeshTlsEndToEndTest {

  private static final String KEY = "mw_e2e_key_0123456789abcdef";

  @TempDir Path dir;
  private MeshServer orchestrator;
  private MeshServer registry;
  private FakeOrchestrator fakeOrchestrator;
  private FakeRunStatus runStatus;
  private MeshChannels channels;
  private ChannelPool orchestratorChannel;
  private ChannelPool registryChannel;
  private Gateway gateway;
  private TestPki pki;

  @BeforeEach
  void start() throws Exception {
    pki =
        TestPki.create(
            dir.resolve("certs"),
            "gateway/gateway",
            "orchestrator/orchestrator",
            "registry/registry");
    fakeOrchestrator = new FakeOrchestrator();
    runStatus = new FakeRunStatus();
    fakeOrchestrator.put(
        Run.newBuilder().setRunId("r1").setState(RunState.RUN_STATE_WORKING).build());
    orchestrator =
        MeshServer.builder(serverConfig("orchestrator/orchestrator"))
            .addService(fakeOrchestrator)
            .addService(runStatus)
            .policy(
                AuthorizationPolicy.builder()
                    .allow("meshwork.orchestrator.v1.OrchestratorService/*", "gateway/*")
                    .allow("meshwork.orchestrator.v1.RunStatusService/*", "gateway/*")
                    .build())
            .build()
            .start();
    registry =
        MeshServer.builder(serverConfig("registry/registry"))
            .addService(new FakeRegistry())
            .policy(AuthorizationPolicy.builder().build())
            .build()
            .start();
    Settings settings = settings(Map.of());
    TlsConfig tlsConfig = TlsConfig.fromSettings(settings, GatewayConfig.IDENTITY);
    channels = MeshChannels.create(tlsConfig);
    // As GatewayMain connects: one connection per event loop of the gateway's server.
    orchestratorChannel = UpstreamChannels.to(channels, "localhost:" + orchestrator.port());
    registryChannel = UpstreamChannels.to(channels, "localhost:" + registry.port());
    Path keys = dir.resolve("keys.yaml");
    Files.writeString(
        keys, "keys:\n- {name: e2e, sha256: " + ApiKeyStore.hash(KEY) + ", allow: [\"/v1/**\"]}\n");
    gateway =
        Gateway.builder(gatewayConfig())
            .orchestrator(orchestratorChannel)
            .registry(registryChannel)
            .build()
            .start();
  }

  @AfterEach
  void stop() throws Exception {
    gateway.close();
    orchestratorChannel.shutdownNow();
    registryChannel.shutdownNow();
    channels.close();
    orchestrator.shutdown();
    registry.shutdown();
  }

  @Test
  void httpsRequest_trustingMeshCa_reachesOrchestratorOverMtls() throws Exception {
    HttpResponse<String> res = https("/v1/runs/r1", KEY);

    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(new ObjectMapper().readTree(res.body()).at("/run/state").asText())
        .isEqualTo("RUN_STATE_WORKING");
  }

  @Test
  void meshPolicyRefusingTheGateway_surfacesAs403() throws Exception {
    // The registry's policy admits no one to RegistryService: the gateway's identity is refused.
    HttpResponse<String> res = https("/v1/instances", KEY);

    assertThat(res.statusCode()).isEqualTo(403);
    assertThat(res.body()).contains("PERMISSION_DENIED");
  }

  @Test
  void requestTimeout_overMtls_returns504AndCancelsTheUpstreamCall() throws Exception {
    // Connected first: on a cold JVM, setting up the upstream connection alone can take longer
    // than the timeout, and then the call never reaches the orchestrator to be cancelled there.
    assertThat(https("/v1/runs/r1", KEY).statusCode()).isEqualTo(200);

    HttpResponse<String> res = https("/v1/runs/slow", KEY, "x-request-timeout", "1s");

    assertThat(res.statusCode()).isEqualTo(504);
    assertThat(res.body()).contains("DEADLINE_EXCEEDED");
    assertThat(fakeOrchestrator.slowStarted()).isEqualTo(1);
    await().atMost(Duration.ofSeconds(5)).until(() -> fakeOrchestrator.slowCancelled() == 1);
  }

  @Test
  void eventStream_overMtls_relaysTheRunsEventsInOrder() throws Exception {
    runStatus.append("r2", RunEventType.RUN_EVENT_TYPE_RUN_STARTED, "");
    runStatus.append("r2", RunEventType.RUN_EVENT_TYPE_RUN_COMPLETED, "");

    HttpResponse<String> res = https("/v1/runs/r2/events", KEY, "accept", "text/event-stream");

    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(res.body()).containsSubsequence("id: 1", "RUN_STARTED", "id: 2", "RUN_COMPLETED");
  }

  @Test
  void upstreamWithCertificateFromAnotherCa_surfacesAs503() throws Exception {
    TestPki other = pki.unrelated(dir.resolve("other"), "orchestrator/orchestrator");
    MeshServer impostor =
        MeshServer.builder(
                ServerConfig.fromSettings(
                    Settings.of(
                        new String[] {"--port=0"},
                        Map.of("MESHWORK_CERT_DIR", other.dir().root().toString())),
                    0,
                    "orchestrator/orchestrator"))
            .addService(fakeOrchestrator)
            .policy(AuthorizationPolicy.builder().allow("*", "gateway/*").build())
            .build()
            .start();
    ManagedChannel toImpostor = channels.forTarget("localhost:" + impostor.port());
    Gateway fooled =
        Gateway.builder(gatewayConfig())
            .orchestrator(toImpostor)
            .registry(registryChannel)
            .build()
            .start();
    try {
      HttpResponse<String> res = https(fooled, "/v1/runs/r1", KEY);

      assertThat(res.statusCode()).isEqualTo(503);
      assertThat(res.body()).contains("UNAVAILABLE");
      assertThat(fakeOrchestrator.deadlines()).isEmpty();
    } finally {
      fooled.close();
      toImpostor.shutdownNow();
      impostor.shutdown();
    }
  }

  @Test
  void plainHttp_toTheHttpsPort_isNotServed() {
    HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://localhost:" + gateway.port() + "/healthz"))
            .timeout(Duration.ofSeconds(5))
            .build();

    assertThatThrownBy(() -> plain.send(request, HttpResponse.BodyHandlers.ofString()))
        .isInstanceOf(java.io.IOException.class);
  }

  private GatewayConfig gatewayConfig() {
    Settings settings =
        settings(Map.of("port", "0", "api-keys-file", dir.resolve("keys.yaml").toString()));
    return GatewayConfig.fromSettings(
        settings, TlsConfig.fromSettings(settings, GatewayConfig.IDENTITY));
  }

  private HttpResponse<String> https(String path, String key, String... headers) throws Exception {
    return https(gateway, path, key, headers);
  }

  private HttpResponse<String> https(Gateway to, String path, String key, String... headers)
      throws Exception {
    HttpClient client = HttpClient.newBuilder().sslContext(trustingMeshCa()).build();
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("https://localhost:" + to.port() + path))
            .header("authorization", "Bearer " + key)
            .timeout(Duration.ofSeconds(20));
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private SSLContext trustingMeshCa() throws Exception {
    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    try (InputStream in = Files.newInputStream(pki.caCert())) {
      trust.setCertificateEntry(
          "mesh-ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(null, tmf.getTrustManagers(), null);
    return ssl;
  }

  private ServerConfig serverConfig(String identity) {
    return ServerConfig.fromSettings(settings(Map.of("port", "0")), 0, identity);
  }

  private Settings settings(Map<String, String> flags) {
    String[] args =
        flags.entrySet().stream()
            .map(e -> "--" + e.getKey() + "=" + e.getValue())
            .toArray(String[]::new);
    return Settings.of(args, Map.of("MESHWORK_CERT_DIR", pki.dir().root().toString()));
  }
}
