package dev.meshwork.registry;

import static java.util.Objects.requireNonNull;

import dev.meshwork.core.MeshServer;
import dev.meshwork.registry.internal.InstanceRegistry;
import dev.meshwork.registry.internal.LeaseSweeper;
import dev.meshwork.registry.internal.RegistryMetrics;
import dev.meshwork.registry.internal.grpc.RegistryGrpcService;
import dev.meshwork.registry.internal.grpc.RegistryPolicy;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A running registry: the in-memory instance registry, its lease sweeper, its instance gauges
 * ({@link RegistryMetrics}), and the {@code RegistryService} served by a {@link MeshServer} (mTLS,
 * authorization, health, reflection).
 *
 * <p>The registry is soft state: it keeps nothing on disk. After a restart agents get {@code
 * NOT_FOUND} on their next renewal and register again (getting their old instance ids back, as
 * ids derive from agent name and endpoint), and watchers resuming from an old revision get {@code
 * REVISION_COMPACTED} and take a new snapshot; the mesh heals within one renewal interval.
 */
public final class RegistryServer {

  private final InstanceRegistry registry;
  private final LeaseSweeper sweeper;
  private final RegistryMetrics metrics;
  private final ExecutorService watchExecutor;
  private final MeshServer server;

  private RegistryServer(RegistryConfig config) {
    this.registry =
        InstanceRegistry.builder()
            .historySize(config.historySize())
            .watcherBufferSize(config.watcherBufferSize())
            .build();
    this.watchExecutor = Executors.newFixedThreadPool(watchThreads(), daemonThreads());
    this.server =
        MeshServer.builder(config.server())
            .addService(new RegistryGrpcService(registry, watchExecutor))
            .policy(RegistryPolicy.create())
            // Watch streams never end on their own; end them so the drain does not wait for them.
            .beforeShutdown(registry::endWatches)
            .build();
    this.sweeper = LeaseSweeper.start(registry, config.sweepInterval());
    this.metrics = new RegistryMetrics(registry);
  }

  /**
   * Starts a registry.
   *
   * @throws dev.meshwork.core.ConfigException when the TLS material or policy file is unusable
   * @throws java.io.UncheckedIOException when the port cannot be bound
   */
  public static RegistryServer start(RegistryConfig config) {
    RegistryServer registryServer = new RegistryServer(requireNonNull(config, "config"));
    try {
      registryServer.server.start();
    } catch (RuntimeException e) {
      registryServer.releaseResources();
      throw e;
    }
    return registryServer;
  }

  /** The bound port. */
  public int port() {
    return server.port();
  }

  /** The instance registry (for in-process embedding and tests). */
  public InstanceRegistry registry() {
    return registry;
  }

  /** Stops gracefully (see {@link MeshServer#shutdown()}); idempotent. */
  public void shutdown() {
    server.shutdown();
    releaseResources();
  }

  /** Shuts down gracefully when the JVM is asked to exit (SIGTERM, SIGINT). */
  public RegistryServer shutdownOnSignal() {
    Runtime.getRuntime().addShutdownHook(new Thread(this::shutdown, "registry-shutdown"));
    return this;
  }

  /** Blocks until the server has stopped. */
  public void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }

  private void releaseResources() {
    metrics.close();
    sweeper.close();
    watchExecutor.shutdownNow();
  }

  // Drains never block (they stop when a client is not ready), so a few threads serve many
  // watchers.
  private static int watchThreads() {
    return Math.max(2, Math.min(8, Runtime.getRuntime().availableProcessors()));
  }

  private static ThreadFactory daemonThreads() {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, "registry-watch-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
