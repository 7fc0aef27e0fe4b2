package dev.meshwork.core;

import static java.util.Objects.requireNonNull;

import dev.meshwork.core.internal.AuthorizationInterceptor;
import dev.meshwork.core.internal.ErrorMappingInterceptor;
import dev.meshwork.core.internal.InFlightCalls;
import dev.meshwork.observability.MeshTelemetry;
import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * A gRPC server as every Meshwork process runs it: mTLS with client certificates required (unless
 * the explicit insecure dev flag is set), an authorization policy over caller identities, {@code
 * grpc.health.v1} health, server reflection (v1) for grpcurl, one error mapper, and a graceful
 * shutdown that flips health to NOT_SERVING, lets in-flight calls finish within the grace period
 * and then stops.
 *
 * <pre>{@code
 * MeshServer server = MeshServer.builder(config)
 *     .addService(new RegistryGrpcService(store))
 *     .policy(RegistryPolicy.DEFAULT)
 *     .build()
 *     .start();
 * server.awaitTermination();
 * }</pre>
 */
public final class MeshServer {

  private static final Logger LOG = Logger.getLogger(MeshServer.class.getName());
  private static final long SUBSCRIPTION_CLOSE_MILLIS = 1000;

  private final ServerConfig config;
  private final MeshTls tls;
  private final Server server;
  private final HealthStatusManager health;
  private final List<String> serviceNames;
  private final List<Runnable> beforeShutdown;
  private final InFlightCalls inFlight = new InFlightCalls();
  private volatile boolean shuttingDown;

  private MeshServer(Builder b) {
    this.config = b.config;
    this.tls = MeshTls.load(b.config.tls());
    this.health = new HealthStatusManager();
    this.beforeShutdown = new CopyOnWriteArrayList<>(b.beforeShutdown);
    AuthorizationPolicy policy = b.policy;
    if (b.config.policyFile().isPresent()) {
      policy = policy.withOverrides(AuthorizationPolicy.parse(b.config.policyFile().get()));
    }
    // Interceptors run outermost-last: ServerInterceptors.intercept applies the last one first.
    List<ServerInterceptor> interceptors = new ArrayList<>();
    interceptors.add(new ErrorMappingInterceptor());
    interceptors.add(inFlight);
    interceptors.addAll(b.interceptors);
    if (!tls.insecure()) {
      interceptors.add(new AuthorizationInterceptor(policy, tls.identity().trustDomain()));
    }
    // Outermost: traces and measures every call, including the ones authorization rejects.
    interceptors.add(MeshTelemetry.serverInterceptor());
    ServerBuilder<?> sb =
        NettyServerBuilder.forAddress(
            new InetSocketAddress(config.host(), config.port()), tls.serverCredentials());
    List<String> names = new ArrayList<>();
    for (ServerServiceDefinition service : b.services) {
      names.add(service.getServiceDescriptor().getName());
      sb.addService(ServerInterceptors.intercept(service, interceptors));
    }
    sb.addService(ServerInterceptors.intercept(health.getHealthService(), interceptors));
    sb.addService(ServerInterceptors.intercept(ProtoReflectionServiceV1.newInstance(), interceptors));
    sb.maxInboundMessageSize(b.maxInboundMessageBytes);
    sb.keepAliveTime(30, TimeUnit.SECONDS);
    sb.permitKeepAliveTime(10, TimeUnit.SECONDS);
    this.serviceNames = List.copyOf(names);
    this.server = sb.build();
  }

  /** A builder for a server listening as {@code config} says. */
  public static Builder builder(ServerConfig config) {
    return new Builder(config);
  }

  /**
   * Binds the port and marks every service SERVING.
   *
   * @throws UncheckedIOException when the port cannot be bound
   */
  public MeshServer start() {
    try {
      server.start();
    } catch (IOException e) {
      tls.close();
      throw new UncheckedIOException(
          "cannot listen on " + config.host() + ":" + config.port() + ": " + e.getMessage(), e);
    }
    health.setStatus("", ServingStatus.SERVING);
    for (String name : serviceNames) {
      health.setStatus(name, ServingStatus.SERVING);
    }
    LOG.info(
        () ->
            "serving " + serviceNames + " on " + config.host() + ":" + port()
                + (tls.insecure() ? " (INSECURE plaintext dev mode)" : " with mTLS as " + tls.identity()));
    return this;
  }

  /** The bound port (useful when configured as 0). */
  public int port() {
    return server.getPort();
  }

  /** This server's identity. */
  public MeshIdentity identity() {
    return tls.identity();
  }

  /** The health manager, for services that report their own readiness. */
  public HealthStatusManager health() {
    return health;
  }

  /** Adds an action run first on shutdown, before health flips (for example deregistering). */
  public void beforeShutdown(Runnable action) {
    beforeShutdown.add(requireNonNull(action, "action"));
  }

  /**
   * Stops gracefully: runs the before-shutdown actions, reports NOT_SERVING, refuses new calls,
   * waits up to the grace period for in-flight calls, then cancels what is left. Idempotent.
   */
  public void shutdown() {
    synchronized (this) {
      if (shuttingDown) {
        return;
      }
      shuttingDown = true;
    }
    for (Runnable action : beforeShutdown) {
      try {
        action.run();
      } catch (RuntimeException e) {
        LOG.warning("shutdown action failed: " + e);
      }
    }
    health.enterTerminalState();
    server.shutdown();
    Duration grace = config.gracePeriod();
    try {
      // Wait for work, not for subscriptions (Watch* streams), then end what is left.
      if (!inFlight.awaitIdle(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warning("grace period " + Settings.format(grace) + " over; cancelling remaining calls");
      }
      // Streams that before-shutdown actions ended get a moment to deliver their final status
      // before whatever is still open is cancelled.
      if (!server.awaitTermination(SUBSCRIPTION_CLOSE_MILLIS, TimeUnit.MILLISECONDS)) {
        server.shutdownNow();
        server.awaitTermination(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    } finally {
      tls.close();
    }
    LOG.info("stopped");
  }

  /** Shuts down gracefully when the JVM is asked to exit (SIGTERM, SIGINT). */
  public MeshServer shutdownOnSignal() {
    // One exit hook drains this server, then flushes telemetry: separate JVM hooks run
    // concurrently, and the spans of calls still draining would be lost.
    MeshTelemetry.onExit(this::shutdown);
    return this;
  }

  /** Blocks until the server has stopped. */
  public void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }

  /** Builds a {@link MeshServer}. */
  public static final class Builder {
    private final ServerConfig config;
    private final List<ServerServiceDefinition> services = new ArrayList<>();
    private final List<ServerInterceptor> interceptors = new ArrayList<>();
    private final List<Runnable> beforeShutdown = new ArrayList<>();
    private AuthorizationPolicy policy = AuthorizationPolicy.builder().build();
    private int maxInboundMessageBytes = 4 * 1024 * 1024;

    private Builder(ServerConfig config) {
      this.config = requireNonNull(config, "config");
    }

    /** Adds a service. */
    public Builder addService(BindableService service) {
      return addService(requireNonNull(service, "service").bindService());
    }

    /** Adds a service definition. */
    public Builder addService(ServerServiceDefinition service) {
      services.add(requireNonNull(service, "service"));
      return this;
    }

    /** Adds an interceptor applied to every call after authorization (for example telemetry). */
    public Builder intercept(ServerInterceptor interceptor) {
      interceptors.add(requireNonNull(interceptor, "interceptor"));
      return this;
    }

    /** The built-in authorization policy; a policy file's rules are evaluated before it. */
    public Builder policy(AuthorizationPolicy policy) {
      this.policy = requireNonNull(policy, "policy");
      return this;
    }

    /** Adds an action run first on shutdown. */
    public Builder beforeShutdown(Runnable action) {
      beforeShutdown.add(requireNonNull(action, "action"));
      return this;
    }

    /** Largest accepted request message, in bytes (default 4 MiB). */
    public Builder maxInboundMessageBytes(int bytes) {
      if (bytes <= 0) {
        throw new IllegalArgumentException("maxInboundMessageBytes: " + bytes + " (expected: > 0)");
      }
      this.maxInboundMessageBytes = bytes;
      return this;
    }

    /**
     * Builds the server (not started yet).
     *
     * @throws ConfigException when the TLS material or policy file is unusable
     */
    public MeshServer build() {
      return new MeshServer(this);
    }
  }
}
