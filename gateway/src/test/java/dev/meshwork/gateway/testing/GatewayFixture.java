package dev.meshwork.gateway.testing;

import com.linecorp.armeria.client.BlockingWebClient;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.common.RequestHeadersBuilder;
import dev.meshwork.gateway.Gateway;
import dev.meshwork.gateway.GatewayConfig;
import dev.meshwork.gateway.internal.ApiKeyStore;
import dev.meshwork.observability.MeshTelemetry;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * A gateway on plain HTTP and a free port, forwarding to in-process fakes of the orchestrator and
 * the registry, with three API keys: {@link #ADMIN_KEY} (every route), {@link #READER_KEY} (GET
 * only) and {@link #LIMITED_KEY} (one request, then rate-limited for minutes).
 */
public final class GatewayFixture implements AutoCloseable {

  /** May call every route. */
  public static final String ADMIN_KEY = "mw_admin_5f1c0e2a9b7d4c3e";
  /** May call GET routes only. */
  public static final String READER_KEY = "mw_reader_8a6b2c1d0e9f7a5b";
  /** May call one request, then waits 100 s for its next token. */
  public static final String LIMITED_KEY = "mw_limited_3c4d5e6f7a8b9c0d";

  public final FakeOrchestrator orchestrator = new FakeOrchestrator();
  public final FakeRunStatus runStatus = new FakeRunStatus();
  public final FakeRegistry registry = new FakeRegistry();
  private final Map<String, Metadata> lastHeaders = new ConcurrentHashMap<>();
  private final Server grpcServer;
  private final ManagedChannel channel;
  private final Gateway gateway;
  private final WebClient client;

  private GatewayFixture(Path dir, UnaryOperator<GatewayConfig.Builder> customize)
      throws IOException {
    String name = "gateway-test-" + System.nanoTime();
    ServerInterceptor capture = new HeaderCapture();
    grpcServer =
        InProcessServerBuilder.forName(name)
            .addService(ServerInterceptors.intercept(orchestrator, capture))
            .addService(ServerInterceptors.intercept(runStatus, capture))
            .addService(ServerInterceptors.intercept(registry, capture))
            .build()
            .start();
    // As MeshChannels does in production: the tracing interceptor (a no-op until telemetry is on).
    channel =
        InProcessChannelBuilder.forName(name).intercept(MeshTelemetry.clientInterceptor()).build();
    Path keys = dir.resolve("api-keys.yaml");
    Files.writeString(keys, keyFile());
    GatewayConfig config =
        customize.apply(GatewayConfig.builder().port(0).apiKeysFile(keys)).build();
    gateway = Gateway.builder(config).orchestrator(channel).registry(channel).build().start();
    client =
        WebClient.builder("http://127.0.0.1:" + gateway.port())
            .responseTimeout(Duration.ZERO)
            .maxResponseLength(0)
            .build();
  }

  /** Starts a gateway with the default test configuration. */
  public static GatewayFixture start(Path dir) {
    return start(dir, b -> b);
  }

  /** Starts a gateway whose configuration {@code customize} adjusts. */
  public static GatewayFixture start(Path dir, UnaryOperator<GatewayConfig.Builder> customize) {
    try {
      return new GatewayFixture(dir, customize);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A client of the gateway (no timeouts, no size cap: fit for streams). */
  public WebClient client() {
    return client;
  }

  /** The gateway's port. */
  public int port() {
    return gateway.port();
  }

  /** The metadata the upstream last received for {@code fullMethodName}. */
  public Metadata lastHeaders(String fullMethodName) {
    return lastHeaders.get(fullMethodName);
  }

  /**
   * {@code GET /v1/runs/slow} with the admin key, sent and its answer drained: the fake upstream
   * never answers it, so it stays in flight until aborted.
   */
  public HttpResponse slowRequest() {
    HttpResponse response =
        client()
            .execute(
                headers(HttpMethod.GET, "/v1/runs/slow", ADMIN_KEY)
                    .set("x-request-timeout", "60s")
                    .build());
    response.aggregate(); // Subscribes, so the request is sent and the answer drained.
    return response;
  }

  /** {@code GET path} with {@code key} (none when null). */
  public AggregatedHttpResponse get(String path, String key) {
    return send(headers(HttpMethod.GET, path, key).build(), "");
  }

  /** {@code POST path} with a JSON body and {@code key}. */
  public AggregatedHttpResponse post(String path, String key, String json) {
    return send(
        headers(HttpMethod.POST, path, key).contentType(MediaType.JSON_UTF_8).build(), json);
  }

  /** Sends {@code headers} and {@code body}, waiting for the whole response. */
  public AggregatedHttpResponse send(RequestHeaders headers, String body) {
    return BlockingWebClient.of(client.uri()).execute(headers, body);
  }

  /** Request headers with {@code key} as a bearer token (none when null). */
  public static RequestHeadersBuilder headers(HttpMethod method, String path, String key) {
    RequestHeadersBuilder headers = RequestHeaders.builder(method, path);
    if (key != null) {
      headers.set("authorization", "Bearer " + key);
    }
    return headers;
  }

  @Override
  public void close() {
    gateway.close();
    channel.shutdownNow();
    grpcServer.shutdownNow();
    try {
      channel.awaitTermination(5, TimeUnit.SECONDS);
      grpcServer.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String keyFile() {
    return "keys:\n"
        + "  - name: admin\n"
        + "    sha256: " + ApiKeyStore.hash(ADMIN_KEY) + "\n"
        + "    allow: [\"/v1/**\"]\n"
        + "    rate: 10000\n"
        + "  - name: reader\n"
        + "    sha256: " + ApiKeyStore.hash(READER_KEY) + "\n"
        + "    allow: [\"GET /v1/**\"]\n"
        + "    rate: 10000\n"
        + "  - name: limited\n"
        + "    sha256: " + ApiKeyStore.hash(LIMITED_KEY) + "\n"
        + "    allow: [\"/v1/**\"]\n"
        + "    rate: 0.01\n"
        + "    burst: 1\n";
  }

  /** Keeps the last request headers per method. */
  private final class HeaderCapture implements ServerInterceptor {
    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
        ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
      lastHeaders.put(call.getMethodDescriptor().getFullMethodName(), headers);
      return next.startCall(call, headers);
    }
  }
}
