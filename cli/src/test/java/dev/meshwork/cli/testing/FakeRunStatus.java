package dev.meshwork.cli.testing;

import dev.meshwork.api.orchestrator.v1.RunEvent;
import dev.meshwork.api.orchestrator.v1.RunStatusServiceGrpc;
import dev.meshwork.api.orchestrator.v1.WatchRunRequest;
import dev.meshwork.api.orchestrator.v1.WatchRunResponse;
import dev.meshwork.core.GrpcErrors;
import dev.meshwork.core.MeshException;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A RunStatusService whose {@code WatchRun} plays one {@link StreamScript} of events per call
 * (deliberately ignoring {@code after_sequence}, so tests see that meshctl drops repeats), or
 * answers NOT_FOUND for an unknown run.
 */
public final class FakeRunStatus extends RunStatusServiceGrpc.RunStatusServiceImplBase {

  private final ConcurrentLinkedQueue<StreamScript<RunEvent>> scripts =
      new ConcurrentLinkedQueue<>();
  private final List<WatchRunRequest> requests = new CopyOnWriteArrayList<>();
  private final List<StreamObserver<WatchRunResponse>> open = new CopyOnWriteArrayList<>();

  /** Queues the script of the next WatchRun call. */
  public FakeRunStatus thenWatch(StreamScript<RunEvent> script) {
    scripts.add(script);
    return this;
  }

  /** Every WatchRun request so far. */
  public List<WatchRunRequest> requests() {
    return List.copyOf(requests);
  }

  /** Sends {@code event} on every watch left open. */
  public void push(RunEvent event) {
    open.forEach(o -> o.onNext(WatchRunResponse.newBuilder().setEvent(event).build()));
  }

  /** Completes every watch left open. */
  public void completeOpen() {
    open.forEach(StreamObserver::onCompleted);
    open.clear();
  }

  @Override
  public void watchRun(WatchRunRequest request, StreamObserver<WatchRunResponse> response) {
    requests.add(request);
    StreamScript<RunEvent> script = scripts.poll();
    if (script == null) {
      if (request.getRunId().startsWith("missing")) {
        response.onError(
            GrpcErrors.toStatusException(MeshException.notFound("run", request.getRunId())));
      } else {
        response.onError(
            Status.FAILED_PRECONDITION
                .withDescription("no watch script left")
                .asRuntimeException());
      }
      return;
    }
    StreamScript<WatchRunResponse> wrapped =
        new StreamScript<>(
            script.responses().stream()
                .map(e -> WatchRunResponse.newBuilder().setEvent(e).build())
                .toList(),
            script.ending());
    if (wrapped.play(response)) {
      open.add(response);
    }
  }
}
