package dev.meshwork.gateway.internal;

import static java.util.Objects.requireNonNull;

import com.linecorp.armeria.common.CommonPools;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.TlsKeyPair;
import com.linecorp.armeria.common.TlsProvider;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.HttpStatusException;
import com.linecorp.armeria.server.Route;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.grpc.GrpcService;
import com.linecorp.armeria.server.grpc.GrpcServiceBuilder;
import com.linecorp.armeria.server.grpc.HttpJsonTranscodingOptions;
import com.linecorp.armeria.server.healthcheck.HealthCheckService;
import dev.meshwork.gateway.GatewayConfig;
import io.grpc.Channel;
import io.grpc.MethodDescriptor;
import io.grpc.ServiceDescriptor;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * Assembles the gateway's HTTP server from the contracts: every {@code google.api.http}-annotated
 * unary RPC of the given services is served by Armeria's transcoder over a forwarding service
 * definition (no per-method code), every annotated server-streaming RPC as server-sent events; both
 * behind the API key check, the deadline mapping and a cap on what is served at once. Then the
 * dashboard, {@code /healthz}, the limits and TLS.
 */
public final class GatewayServer {

  private static final Logger LOG = Logger.getLogger(GatewayServer.class.getName());
  private static final Duration QUIET_PERIOD = Duration.ofMillis(200);

  /**
   * A service of the contracts and the channel that reaches it.
   *
   * @param service the generated service descriptor
   * @param channel the upstream channel
   */
  public record Upstream(ServiceDescriptor service, Channel channel) {

    /** Validates the parts. */
    public Upstream {
      requireNonNull(service, "service");
      requireNonNull(channel, "channel");
    }
  }

  private GatewayServer() {}

  /**
   * The event loops the server runs on (Armeria's shared worker group, two per core): the gateway's
   * upstream connections run on them too.
   */
  public static EventLoopGroup eventLoops() {
    return CommonPools.workerGroup();
  }

  /** The server (not started) for {@code config}, forwarding to {@code upstreams}. */
  public static Server create(GatewayConfig config, ApiKeyStore keys, List<Upstream> upstreams) {
    ServerBuilder sb = Server.builder().workerGroup(eventLoops(), false);
    InetSocketAddress address = new InetSocketAddress(config.host(), config.port());
    if (config.httpTls().isPresent()) {
      GatewayConfig.HttpTls tls = config.httpTls().get();
      sb.https(address);
      sb.tlsProvider(
          TlsProvider.ofScheduled(
              () -> TlsKeyPair.of(tls.keyFile().toFile(), tls.certFile().toFile()), tls.refresh()));
    } else {
      sb.http(address);
    }
    sb.maxRequestLength(config.maxRequestBytes())
        .http1MaxHeaderSize(config.maxHeaderBytes())
        .http2MaxHeaderListSize(config.maxHeaderBytes())
        .maxNumConnections(config.maxConnections())
        .requestTimeout(config.defaultTimeout().plus(DeadlineDecorator.SLACK))
        .gracefulShutdownTimeout(quietPeriod(config.gracePeriod()), config.gracePeriod())
        .errorHandler(new GatewayErrorHandler());

    // One instance of each, shared by every route: the rate limit is per key, not per route.
    ApiKeyAuthDecorator auth = new ApiKeyAuthDecorator(keys);
    DeadlineDecorator deadlines =
        new DeadlineDecorator(config.defaultTimeout(), config.maxTimeout());
    AccessLogDecorator accessLog = new AccessLogDecorator();
    // Unary requests and event streams are capped apart: streams stay open for minutes, so
    // counting them with requests would let a few dashboards starve every API call.
    InFlightLimit requests = new InFlightLimit("requests", config.maxInFlight());
    InFlightLimit streams = new InFlightLimit("event streams", config.maxStreams());
    addTranscodedRoutes(sb, upstreams, guard(deadlines, auth, requests, accessLog));
    addStreamRoutes(sb, upstreams, guard(deadlines, auth, streams, accessLog), config.heartbeat());
    sb.service("/healthz", HealthCheckService.of());
    // API paths that match no route: a JSON 404, not the dashboard's file lookup.
    sb.serviceUnder(
        "/v1/",
        (ctx, req) -> {
          throw HttpStatusException.of(HttpStatus.NOT_FOUND);
        });
    DashboardService.install(sb, config.jaegerUrl());
    return sb.build();
  }

  /**
   * How long the server must see no new request before it stops early; never past the grace period
   * itself (Armeria refuses a quiet period longer than the timeout, which made a grace period under
   * 200 ms fail the gateway's start).
   */
  private static Duration quietPeriod(Duration gracePeriod) {
    return gracePeriod.compareTo(QUIET_PERIOD) < 0 ? gracePeriod : QUIET_PERIOD;
  }

  /**
   * The decorators of an API route, outermost last: the access log sees every answer, the cap
   * refuses before the key check does any work, and the deadline is set for what runs inside.
   */
  private static Function<HttpService, HttpService> guard(
      DeadlineDecorator deadlines,
      ApiKeyAuthDecorator auth,
      InFlightLimit limit,
      AccessLogDecorator accessLog) {
    return s -> s.decorate(deadlines).decorate(auth).decorate(limit).decorate(accessLog);
  }

  private static void addTranscodedRoutes(
      ServerBuilder sb, List<Upstream> upstreams, Function<HttpService, HttpService> guard) {
    GrpcServiceBuilder grpc =
        GrpcService.builder()
            .enableHttpJsonTranscoding(
                HttpJsonTranscodingOptions.builder()
                    .errorHandler(new TranscodingErrorHandler())
                    .build())
            .jsonMarshallerFactory(service -> StrictJsonMarshaller.INSTANCE);
    List<HttpBinding> unary = new ArrayList<>();
    Set<String> framedPaths = new HashSet<>();
    for (Upstream upstream : upstreams) {
      List<HttpBinding> bindings =
          HttpBinding.of(upstream.service()).stream().filter(b -> !b.serverStreaming()).toList();
      Set<MethodDescriptor<?, ?>> annotated = new HashSet<>();
      bindings.forEach(b -> annotated.add(b.method()));
      unary.addAll(bindings);
      upstream.service().getMethods().forEach(m -> framedPaths.add("/" + m.getFullMethodName()));
      if (!annotated.isEmpty()) {
        grpc.addService(
            GrpcForwarding.forward(upstream.service(), upstream.channel(), annotated::contains));
      }
    }
    GrpcService transcoder = grpc.build();
    HttpService checked = transcoder.decorate(new QueryValidationDecorator(unary));
    HttpService served = guard.apply(checked);
    for (Route route : transcoder.routes()) {
      // Only the HTTP/JSON routes: native gRPC clients belong on the mesh, with a certificate.
      if (framedPaths.contains(route.patternString())) {
        continue;
      }
      sb.service(route, served);
      LOG.fine(() -> "serving " + route.methods() + " " + route.patternString());
    }
  }

  private static void addStreamRoutes(
      ServerBuilder sb,
      List<Upstream> upstreams,
      Function<HttpService, HttpService> guard,
      Duration heartbeat) {
    for (Upstream upstream : upstreams) {
      for (HttpBinding binding : HttpBinding.of(upstream.service())) {
        if (!binding.serverStreaming()) {
          continue;
        }
        HttpService sse = new SseStreamService(binding, upstream.channel(), heartbeat);
        Route route =
            Route.builder()
                .path(binding.path().armeriaPattern())
                .methods(binding.httpMethod())
                .build();
        sb.service(route, guard.apply(sse));
      }
    }
  }
}
