package dev.meshwork.orchestrator.internal.grpc;

import dev.meshwork.api.orchestrator.v1.RunEvent;
import dev.meshwork.core.GrpcErrors;
import dev.meshwork.core.MeshException;
import dev.meshwork.orchestrator.EventStream;
import dev.meshwork.orchestrator.Watch;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;

/**
 * An {@link EventStream} over a gRPC server stream, wired to its readiness and cancellation: the
 * {@link Watch} it is attached to sends only while the stream is ready, and stops when the client
 * cancels.
 *
 * @param <T> the response message type
 */
final class WatchBridge<T> implements EventStream {
  private final ServerCallStreamObserver<T> observer;

  /** Builds a response from an event and its firehose position (0 where there is none). */
  private final BiFunction<RunEvent, Long, T> wrap;

  private final AtomicReference<Watch> watch = new AtomicReference<>();
  private final AtomicBoolean cancelled = new AtomicBoolean();

  /**
   * A bridge over {@code response}; create it in the RPC's handler, before anything is sent, as
   * gRPC requires the handlers to be set there.
   */
  WatchBridge(StreamObserver<T> response, BiFunction<RunEvent, Long, T> wrap) {
    this.observer = (ServerCallStreamObserver<T>) response;
    this.wrap = wrap;
    // Handlers are set before the watch exists; they act once it does.
    observer.setOnReadyHandler(
        () -> {
          Watch w = watch.get();
          if (w != null) {
            w.onReady();
          }
        });
    observer.setOnCancelHandler(
        () -> {
          cancelled.set(true);
          Watch w = watch.get();
          if (w != null) {
            w.cancel();
          }
        });
  }

  /** Connects the watch that feeds this stream; cancels it at once if the client has left. */
  void attach(Watch w) {
    watch.set(w);
    if (cancelled.get()) {
      w.cancel();
    }
  }

  /**
   * Sends a message of the RPC's own ahead of the watch's events (before {@link #attach}, so it is
   * first); dropped if the client has left.
   */
  void sendFirst(T message) {
    if (!cancelled.get()) {
      observer.onNext(message);
    }
  }

  @Override
  public boolean isReady() {
    return !cancelled.get() && observer.isReady();
  }

  @Override
  public void send(RunEvent event) {
    observer.onNext(wrap.apply(event, 0L));
  }

  @Override
  public void send(RunEvent event, long position) {
    observer.onNext(wrap.apply(event, position));
  }

  @Override
  public void complete() {
    if (!cancelled.get()) {
      observer.onCompleted();
    }
  }

  @Override
  public void fail(MeshException error) {
    if (!cancelled.get()) {
      observer.onError(GrpcErrors.toStatusException(error));
    }
  }
}
