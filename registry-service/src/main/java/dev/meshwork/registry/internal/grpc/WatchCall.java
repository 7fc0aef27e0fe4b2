package dev.meshwork.registry.internal.grpc;

import static java.util.Objects.requireNonNull;

import dev.meshwork.api.registry.v1.WatchAgentInstancesRequest;
import dev.meshwork.api.registry.v1.WatchAgentInstancesResponse;
import dev.meshwork.core.GrpcErrors;
import dev.meshwork.core.MeshException;
import dev.meshwork.registry.internal.InstanceRegistry;
import dev.meshwork.registry.internal.WatchEvent;
import dev.meshwork.registry.internal.WatchSubscription;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One {@code WatchAgentInstances} call: drains the registry's buffer for this watcher into the
 * stream at the pace the client reads ({@code isReady}/{@code onReady}), on an executor, so the
 * registry never waits for a client. Drains are serialized (a work-in-progress counter), since a
 * stream observer is not thread-safe.
 */
final class WatchCall {

  private static final Logger LOG = Logger.getLogger(WatchCall.class.getName());

  private final ServerCallStreamObserver<WatchAgentInstancesResponse> stream;
  private final Executor executor;
  private final AtomicInteger pendingSignals = new AtomicInteger();
  private volatile WatchSubscription subscription;
  private volatile boolean finished;

  private WatchCall(
      ServerCallStreamObserver<WatchAgentInstancesResponse> stream, Executor executor) {
    this.stream = requireNonNull(stream, "stream");
    this.executor = requireNonNull(executor, "executor");
  }

  /**
   * Starts the watch; a failure to start (a compacted revision, a bad filter) is thrown for the
   * error-mapping interceptor to answer.
   */
  static void start(
      InstanceRegistry registry,
      WatchAgentInstancesRequest request,
      ServerCallStreamObserver<WatchAgentInstancesResponse> stream,
      Executor executor) {
    WatchCall call = new WatchCall(stream, executor);
    stream.setOnCancelHandler(call::cancel);
    stream.setOnReadyHandler(call::signal);
    WatchSubscription subscription =
        registry.watch(request.getFilter(), request.getAfterRevision(), call::signal);
    call.subscription = subscription;
    if (call.finished) {
      // Cancelled before the subscription existed.
      subscription.close();
      return;
    }
    call.signal();
  }

  /** Schedules a drain; cheap and non-blocking, as the registry calls it under load. */
  private void signal() {
    if (pendingSignals.getAndIncrement() == 0) {
      executor.execute(this::drainLoop);
    }
  }

  private void drainLoop() {
    int missed = 1;
    while (true) {
      try {
        drain();
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "watch stream failed", e);
        fail(e);
      }
      missed = pendingSignals.addAndGet(-missed);
      if (missed == 0) {
        return;
      }
    }
  }

  private void drain() {
    WatchSubscription current = subscription;
    if (finished || current == null) {
      return;
    }
    Optional<MeshException> failure = current.failure();
    if (failure.isPresent()) {
      fail(failure.get());
      return;
    }
    while (stream.isReady()) {
      Optional<WatchEvent> event = current.poll();
      if (event.isEmpty()) {
        // Either drained, or cut off just now: the registry signals again in that case.
        return;
      }
      stream.onNext(toResponse(event.get()));
    }
  }

  private void fail(Throwable failure) {
    if (finished) {
      return;
    }
    finished = true;
    WatchSubscription current = subscription;
    if (current != null) {
      current.close();
    }
    stream.onError(GrpcErrors.toStatusException(failure));
  }

  private void cancel() {
    finished = true;
    WatchSubscription current = subscription;
    if (current != null) {
      current.close();
    }
  }

  static WatchAgentInstancesResponse toResponse(WatchEvent event) {
    WatchAgentInstancesResponse.Builder response =
        WatchAgentInstancesResponse.newBuilder()
            .setType(event.type())
            .setRevision(event.revision())
            .setRemovalReason(event.removalReason());
    event.instance().ifPresent(response::setInstance);
    return response.build();
  }
}
