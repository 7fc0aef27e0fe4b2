package dev.meshwork.core.internal;

import static java.util.Objects.requireNonNull;

import dev.meshwork.api.common.v1.Endpoint;
import dev.meshwork.api.registry.v1.RegistryServiceGrpc;
import dev.meshwork.api.registry.v1.WatchAgentInstancesRequest;
import dev.meshwork.api.registry.v1.WatchAgentInstancesResponse;
import dev.meshwork.api.registry.v1.WatchEventType;
import dev.meshwork.core.MeshTarget;
import io.grpc.Channel;
import io.grpc.Context;
import io.grpc.EquivalentAddressGroup;
import io.grpc.NameResolver;
import io.grpc.Status;
import io.grpc.StatusOr;
import io.grpc.SynchronizationContext;
import io.grpc.SynchronizationContext.ScheduledHandle;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Resolves a {@link MeshTarget} by watching the registry ({@code WatchAgentInstances}) and hands
 * the serving instances' addresses to the channel.
 *
 * <p>When the watch breaks (registry restarting, network trouble) the channel keeps the last
 * published addresses, so calls go on to the agents that were known; the resolver re-watches with
 * backoff, resuming from the last revision seen, and re-snapshots when the registry answers
 * OUT_OF_RANGE (its history no longer reaches back that far).
 *
 * <p>Everything but the gRPC callbacks runs in the channel's synchronization context.
 */
public final class RegistryNameResolver extends NameResolver {

  private static final Logger LOG = Logger.getLogger(RegistryNameResolver.class.getName());

  private final MeshTarget target;
  private final RegistryServiceGrpc.RegistryServiceStub registry;
  private final SynchronizationContext syncContext;
  private final ScheduledExecutorService scheduler;
  private final Backoff backoff;
  private final WatchedInstances instances = new WatchedInstances();

  private Listener2 listener;
  private ClientCallStreamObserver<WatchAgentInstancesRequest> stream;
  private int streamGeneration;
  private ScheduledHandle retry;
  private ScheduledHandle staleExpiry;
  private List<Endpoint> published;
  private boolean failing;
  private boolean shutdown;

  /**
   * A resolver of {@code target} over {@code registryChannel}.
   *
   * @param args the channel's resolver arguments (synchronization context, scheduler)
   */
  public RegistryNameResolver(
      MeshTarget target,
      Channel registryChannel,
      Args args,
      Duration initialBackoff,
      Duration maxBackoff) {
    this.target = requireNonNull(target, "target");
    this.registry = RegistryServiceGrpc.newStub(requireNonNull(registryChannel, "registryChannel"));
    this.syncContext = args.getSynchronizationContext();
    this.scheduler = args.getScheduledExecutorService();
    this.backoff = new Backoff(initialBackoff, maxBackoff);
  }

  @Override
  public String getServiceAuthority() {
    return target.name();
  }

  @Override
  public void start(Listener2 listener) {
    if (this.listener != null) {
      throw new IllegalStateException("already started");
    }
    this.listener = requireNonNull(listener, "listener");
    watch();
  }

  @Override
  public void refresh() {
    // The watch pushes every change; a broken watch already retries on its own schedule, and
    // retrying sooner on the channel's request would only hammer a registry that is down.
  }

  @Override
  public void shutdown() {
    if (shutdown) {
      return;
    }
    shutdown = true;
    if (retry != null) {
      retry.cancel();
      retry = null;
    }
    if (staleExpiry != null) {
      staleExpiry.cancel();
      staleExpiry = null;
    }
    if (stream != null) {
      stream.cancel("name resolver shut down", null);
      stream = null;
    }
  }

  private void watch() {
    retry = null;
    if (shutdown) {
      return;
    }
    instances.streamStarted();
    int generation = ++streamGeneration;
    WatchAgentInstancesRequest request =
        WatchAgentInstancesRequest.newBuilder()
            .setFilter(target.filter())
            .setAfterRevision(instances.revision())
            .build();
    // The root context: a resolver may be started from inside some server call, and the watch
    // must neither inherit that call's deadline nor die with its cancellation.
    Context.ROOT.run(() -> registry.watchAgentInstances(request, new WatchObserver(generation)));
  }

  private void onEvent(int generation, WatchAgentInstancesResponse event) {
    if (shutdown || generation != streamGeneration) {
      return;
    }
    if (event.getType() == WatchEventType.WATCH_EVENT_TYPE_SYNCED) {
      backoff.reset();
      if (failing) {
        failing = false;
        LOG.info(() -> target + ": registry watch restored (" + instances.size() + " instances)");
      }
    }
    if (instances.apply(event, System.nanoTime())) {
      publish();
    }
  }

  private void expireStale() {
    staleExpiry = null;
    if (shutdown) {
      return;
    }
    if (instances.expireStale(System.nanoTime())) {
      publish();
    } else {
      scheduleStaleExpiry();
    }
  }

  private void scheduleStaleExpiry() {
    if (staleExpiry != null) {
      staleExpiry.cancel();
      staleExpiry = null;
    }
    instances
        .nextStaleExpiry()
        .ifPresent(
            at ->
                staleExpiry =
                    syncContext.schedule(
                        this::expireStale,
                        Math.max(0, at - System.nanoTime()),
                        TimeUnit.NANOSECONDS,
                        scheduler));
  }

  private void onStreamEnd(int generation, Status status) {
    if (shutdown || generation != streamGeneration) {
      return;
    }
    stream = null;
    if (status.getCode() == Status.Code.OUT_OF_RANGE) {
      // The registry no longer holds the changes since our revision (compacted, or a restarted
      // registry with a new history): start over from a snapshot, at once.
      LOG.info(() -> target + ": registry cannot resume the watch (" + status.getDescription()
          + "); taking a new snapshot");
      instances.forgetRevision();
      watch();
      return;
    }
    Duration delay = backoff.nextDelay();
    Level level = failing ? Level.FINE : Level.WARNING;
    failing = true;
    LOG.log(
        level,
        () -> target + ": registry watch failed (" + status.getCode() + ": "
            + status.getDescription() + "); keeping " + (published == null ? 0 : published.size())
            + " known addresses, retrying in " + delay.toMillis() + "ms");
    if (!instances.everSynced()) {
      // Nothing known yet: let waiting calls see why, instead of a bare "no addresses".
      listener.onResult2(
          ResolutionResult.newBuilder()
              .setAddressesOrError(
                  StatusOr.fromStatus(
                      Status.UNAVAILABLE
                          .withDescription(
                              "registry unreachable while resolving " + target + ": "
                                  + status.getCode() + " " + status.getDescription())
                          .withCause(status.getCause())))
              .build());
    }
    retry = syncContext.schedule(this::watch, delay.toNanos(), TimeUnit.NANOSECONDS, scheduler);
  }

  private void publish() {
    scheduleStaleExpiry();
    List<Endpoint> endpoints = instances.servingEndpoints();
    if (endpoints.equals(published)) {
      return;
    }
    published = endpoints;
    if (endpoints.isEmpty()) {
      listener.onResult2(
          ResolutionResult.newBuilder()
              .setAddressesOrError(
                  StatusOr.fromStatus(
                      Status.UNAVAILABLE.withDescription(
                          "no serving instance for " + target + " in the registry")))
              .build());
      return;
    }
    List<EquivalentAddressGroup> groups = new ArrayList<>(endpoints.size());
    for (Endpoint endpoint : endpoints) {
      // Agents advertise IP literals, which InetSocketAddress parses without a DNS lookup.
      InetSocketAddress address = new InetSocketAddress(endpoint.getHost(), endpoint.getPort());
      groups.add(new EquivalentAddressGroup(address));
    }
    LOG.fine(() -> target + ": " + endpoints.size() + " serving instances");
    listener.onResult2(
        ResolutionResult.newBuilder().setAddressesOrError(StatusOr.fromValue(groups)).build());
  }

  /** Hops every callback of one watch stream into the synchronization context. */
  private final class WatchObserver
      implements ClientResponseObserver<WatchAgentInstancesRequest, WatchAgentInstancesResponse> {

    private final int generation;

    WatchObserver(int generation) {
      this.generation = generation;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<WatchAgentInstancesRequest> requestStream) {
      // Called synchronously from watch(), hence already inside the synchronization context.
      stream = requestStream;
    }

    @Override
    public void onNext(WatchAgentInstancesResponse event) {
      syncContext.execute(() -> onEvent(generation, event));
    }

    @Override
    public void onError(Throwable t) {
      Status status = Status.fromThrowable(t);
      syncContext.execute(() -> onStreamEnd(generation, status));
    }

    @Override
    public void onCompleted() {
      Status ended = Status.UNAVAILABLE.withDescription("the registry ended the watch");
      syncContext.execute(() -> onStreamEnd(generation, ended));
    }
  }
}
