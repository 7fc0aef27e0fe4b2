package dev.meshwork.core;

import static java.util.Objects.requireNonNull;

import dev.meshwork.observability.MeshTelemetry;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ChannelCredentials;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.Deadline;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.MethodDescriptor;
import io.grpc.NameResolverRegistry;
import java.io.Closeable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Makes client channels the mesh way: mTLS with this process's identity (verifying the server's
 * SPIFFE id, see {@link MeshTls}), a default deadline on every unary call that has none (so no call
 * waits forever), optional service config (load balancing, health checking) and client interceptors
 * (telemetry). Server-streaming calls such as watches keep the deadline they were given, if any:
 * they are meant to stay open.
 *
 * <p>With {@link #withRegistry(Channel)}, {@code mesh:///skill/<id>} and {@code
 * mesh:///agent/<name>} targets resolve through the registry and get {@link
 * MeshServiceConfigs#DEFAULT} (weighted round robin on ORCA load, outlier ejection, client-side
 * health checking, retry of UNAVAILABLE) unless told otherwise:
 *
 * <pre>{@code
 * MeshChannels channels = MeshChannels.create(tlsConfig);
 * ManagedChannel registry = channels.forTarget("127.0.0.1:7001");
 * MeshChannels mesh = channels.withRegistry(registry);
 * ManagedChannel keywords = mesh.forTarget("mesh:///skill/text.keywords");
 * }</pre>
 */
public final class MeshChannels implements Closeable {

  /**
   * Makes the builder of a channel from a {@code host:port} target and the mesh's credentials: lets
   * a caller choose the transport and its threads (the gateway runs each upstream connection on one
   * of its own event loops). The channel still gets the mesh's interceptors and default deadline.
   */
  @FunctionalInterface
  public interface Transport {

    /** A builder for {@code target} that uses {@code credentials}. */
    ManagedChannelBuilder<?> builder(String target, ChannelCredentials credentials);
  }

  private final MeshTls tls;
  private final boolean ownsTls;
  private final Duration defaultDeadline;
  private final List<ClientInterceptor> interceptors;
  private final MeshNameResolverProvider meshResolver;

  private MeshChannels(
      MeshTls tls,
      boolean ownsTls,
      Duration defaultDeadline,
      List<ClientInterceptor> interceptors,
      MeshNameResolverProvider meshResolver) {
    this.tls = tls;
    this.ownsTls = ownsTls;
    this.defaultDeadline = defaultDeadline;
    this.interceptors = List.copyOf(interceptors);
    this.meshResolver = meshResolver;
  }

  /** Channels using the TLS material of {@code config}; closing them stops its file watch. */
  public static MeshChannels create(TlsConfig config) {
    return new MeshChannels(
        MeshTls.load(config),
        true,
        Duration.ofSeconds(10),
        List.of(MeshTelemetry.clientInterceptor()),
        null);
  }

  /** Channels sharing already loaded TLS material (for example a server's own). */
  public static MeshChannels create(MeshTls tls) {
    return new MeshChannels(
        requireNonNull(tls, "tls"),
        false,
        Duration.ofSeconds(10),
        List.of(MeshTelemetry.clientInterceptor()),
        null);
  }

  /** A copy whose unary calls without a deadline get {@code deadline}. */
  public MeshChannels withDefaultDeadline(Duration deadline) {
    if (deadline.isNegative() || deadline.isZero()) {
      throw new IllegalArgumentException("defaultDeadline: " + deadline + " (expected: > 0)");
    }
    return new MeshChannels(tls, false, deadline, interceptors, meshResolver);
  }

  /** A copy that also applies {@code interceptor} to every call (for example tracing). */
  public MeshChannels withInterceptor(ClientInterceptor interceptor) {
    List<ClientInterceptor> all = new ArrayList<>(interceptors);
    all.add(requireNonNull(interceptor, "interceptor"));
    return new MeshChannels(tls, false, defaultDeadline, all, meshResolver);
  }

  /**
   * A copy whose calls carry the caller's trace context but record no client span or client metrics
   * of their own, for callers that span each call themselves (the orchestrator's attempt spans): a
   * client span under such a span would only repeat it.
   */
  public MeshChannels withoutClientSpans() {
    List<ClientInterceptor> all = new ArrayList<>(interceptors.size());
    for (ClientInterceptor interceptor : interceptors) {
      all.add(
          interceptor == MeshTelemetry.clientInterceptor()
              ? MeshTelemetry.propagatingClientInterceptor()
              : interceptor);
    }
    return new MeshChannels(tls, false, defaultDeadline, all, meshResolver);
  }

  /**
   * A copy whose channels resolve {@code mesh:} targets through the registry reached by {@code
   * registryChannel} (see {@link MeshNameResolverProvider}). The registry channel stays the
   * caller's to close, after the channels made here.
   */
  public MeshChannels withRegistry(Channel registryChannel) {
    return withResolver(new MeshNameResolverProvider(registryChannel));
  }

  /** A copy whose channels resolve {@code mesh:} targets with {@code resolver}. */
  public MeshChannels withResolver(MeshNameResolverProvider resolver) {
    return new MeshChannels(
        tls, false, defaultDeadline, interceptors, requireNonNull(resolver, "resolver"));
  }

  /** The identity the channels present. */
  public MeshIdentity identity() {
    return tls.identity();
  }

  /** A channel to {@code target}, for example {@code localhost:7001} or {@code mesh:///skill/x}. */
  public ManagedChannel forTarget(String target) {
    return forTarget(target, (Map<String, ?>) null);
  }

  /**
   * A channel to {@code target} with a default service config (the JSON structure as maps and
   * lists), for example a load-balancing policy. A {@code mesh:} target without one gets {@link
   * MeshServiceConfigs#DEFAULT}.
   *
   * @throws IllegalStateException for a {@code mesh:} target when no registry was given
   * @throws IllegalArgumentException for a {@code mesh:} target of the wrong shape
   */
  public ManagedChannel forTarget(String target, Map<String, ?> serviceConfig) {
    requireNonNull(target, "target");
    ManagedChannelBuilder<?> builder;
    if (MeshTarget.isMeshTarget(target)) {
      if (meshResolver == null) {
        throw new IllegalStateException(
            "target '" + target + "' needs the registry: use MeshChannels.withRegistry(channel)");
      }
      MeshTarget.parse(target); // fail here, with the expected shape, rather than inside gRPC
      NameResolverRegistry resolvers = meshResolver.newRegistry();
      builder = Grpc.newChannelBuilder(target, tls.channelCredentials(), resolvers);
      if (serviceConfig == null) {
        serviceConfig = MeshServiceConfigs.DEFAULT;
      }
    } else {
      builder = Grpc.newChannelBuilder(target, tls.channelCredentials());
    }
    return build(builder, serviceConfig);
  }

  /**
   * A channel to {@code target} (not a {@code mesh:} target) over the builder {@code transport}
   * makes.
   *
   * @throws IllegalArgumentException for a {@code mesh:} target
   */
  public ManagedChannel forTarget(String target, Transport transport) {
    requireNonNull(target, "target");
    requireNonNull(transport, "transport");
    if (MeshTarget.isMeshTarget(target)) {
      throw new IllegalArgumentException(
          "target '" + target + "' (expected: host:port with a chosen transport)");
    }
    return build(
        requireNonNull(transport.builder(target, tls.channelCredentials()), "builder"), null);
  }

  private ManagedChannel build(ManagedChannelBuilder<?> builder, Map<String, ?> serviceConfig) {
    if (serviceConfig != null) {
      builder.defaultServiceConfig(serviceConfig);
    }
    List<ClientInterceptor> all = new ArrayList<>(interceptors);
    all.add(new DefaultDeadlineInterceptor(defaultDeadline));
    builder.intercept(all);
    return builder.build();
  }

  @Override
  public void close() {
    if (ownsTls) {
      tls.close();
    }
  }

  /** Gives unary calls without a deadline the default one. */
  private record DefaultDeadlineInterceptor(Duration deadline) implements ClientInterceptor {
    @Override
    public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
        MethodDescriptor<ReqT, RespT> method, CallOptions options, Channel next) {
      if (options.getDeadline() == null
          && io.grpc.Context.current().getDeadline() == null
          && method.getType() == MethodDescriptor.MethodType.UNARY) {
        options = options.withDeadline(Deadline.after(deadline.toMillis(), TimeUnit.MILLISECONDS));
      }
      return next.newCall(method, options);
    }
  }
}
