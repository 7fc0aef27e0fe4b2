package dev.meshwork.orchestrator.internal.grpc;

import static java.util.Objects.requireNonNull;

import dev.meshwork.api.orchestrator.v1.RunStatusServiceGrpc;
import dev.meshwork.api.orchestrator.v1.WatchRunRequest;
import dev.meshwork.api.orchestrator.v1.WatchRunResponse;
import dev.meshwork.api.orchestrator.v1.WatchRunsRequest;
import dev.meshwork.api.orchestrator.v1.WatchRunsResponse;
import dev.meshwork.orchestrator.Orchestrator;
import dev.meshwork.orchestrator.RunFilter;
import io.grpc.stub.StreamObserver;
import java.util.Set;

/**
 * {@code RunStatusService} over gRPC: each watch is a server stream with flow control; the stream's
 * readiness and cancellation are passed to the watch (see {@link WatchBridge}).
 */
public final class RunStatusGrpcService extends RunStatusServiceGrpc.RunStatusServiceImplBase {

  private final Orchestrator orchestrator;

  /** A service over {@code orchestrator}. */
  public RunStatusGrpcService(Orchestrator orchestrator) {
    this.orchestrator = requireNonNull(orchestrator, "orchestrator");
  }

  @Override
  public void watchRun(WatchRunRequest request, StreamObserver<WatchRunResponse> response) {
    WatchBridge<WatchRunResponse> bridge =
        new WatchBridge<>(
            response, (e, position) -> WatchRunResponse.newBuilder().setEvent(e).build());
    bridge.attach(orchestrator.watchRun(request.getRunId(), request.getAfterSequence(), bridge));
  }

  @Override
  public void watchRuns(WatchRunsRequest request, StreamObserver<WatchRunsResponse> response) {
    WatchBridge<WatchRunsResponse> bridge =
        new WatchBridge<>(
            response,
            (e, position) ->
                WatchRunsResponse.newBuilder().setEvent(e).setPosition(position).build());
    RunFilter filter = new RunFilter(Set.of(), request.getWorkflowName(), request.getLabelsMap());
    bridge.attach(orchestrator.watchRuns(filter, request.getAfterPosition(), bridge));
  }
}
