package dev.meshwork.orchestrator.internal.grpc;

import static java.util.Objects.requireNonNull;

import dev.meshwork.api.orchestrator.v1.RunEvent;
import dev.meshwork.api.orchestrator.v1.RunStatusServiceGrpc;
import dev.meshwork.api.orchestrator.v1.WatchRunRequest;
import dev.meshwork.api.orchestrator.v1.WatchRunResponse;
import dev.meshwork.api.orchestrator.v1.WatchRunsRequest;
import dev.meshwork.api.orchestrator.v1.WatchRunsResponse;
import dev.meshwork.core.GrpcErrors;
import dev.meshwork.core.MeshException;
import dev.meshwork.orchestrator.EventStream;
import dev.meshwork.orchestrator.Orchestrator;
import dev.meshwork.orchestrator.RunFilter;
import dev.meshwork.orchestrator.Watch;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;

/**
 * {@code RunStatusService} over gRPC: each watch is a server stream with flow control; the stream's
 * readiness and cancellation are passed to the {@link Watch}.
 */
public final class RunStatusGrpcService extends RunStatusServiceGrpc.RunStatusServiceImplBase {

  private final Orchestrator orchestrator;

  /** A service over {@code orchestrator}. */
  public RunStatusGrpcService(Orchestrator orchestrator) {
    this.orchestrator = requireNonNull(orchestrator, "orchestrator");
  }

  @Override
  public void watchRun(WatchRunRequest request, StreamObserver<WatchRunResponse> response) {
    Bridge<WatchRunResponse> bridge =
        new Bridge<>(response, (e, position) -> WatchRunResponse.newBuilder().setEvent(e).build());
    bridge.attach(orchestrator.watchRun(request.getRunId(), request.getAfterSequence(), bridge));
  }

  @Override
  public void watchRuns(WatchRunsRequest request, StreamObserver<WatchRunsResponse> response) {
    Bridge<WatchRunsResponse> bridge =
        new Bridge<>(
            response,
            (e, position) ->
                WatchRunsResponse.newBuilder().setEvent(e).setPosition(position).build());
    RunFilter filter = new RunFilter(Set.of(), request.getWorkflowName(), request.getLabelsMap());
    bridge.attach(orchestrator.watchRuns(filter, request.getAfterPosition(), bridge));
  }

  /** An {@link EventStream} over a server stream, wired to its readiness and cancellation. */
  private static final class Bridge<T> implements EventStream {
    private final ServerCallStreamObserver<T> observer;

    /** Builds a response from an event and its firehose position (0 where there is none). */
    private final BiFunction<RunEvent, Long, T> wrap;

    private final AtomicReference<Watch> watch = new AtomicReference<>();
    private final AtomicBoolean cancelled = new AtomicBoolean();

    Bridge(StreamObserver<T> response, BiFunction<RunEvent, Long, T> wrap) {
      this.observer = (ServerCallStreamObserver<T>) response;
      this.wrap = wrap;
      // Handlers are set before the watch exists, as gRPC requires; they act once it does.
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

    void attach(Watch w) {
      watch.set(w);
      if (cancelled.get()) {
        w.cancel();
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
}
