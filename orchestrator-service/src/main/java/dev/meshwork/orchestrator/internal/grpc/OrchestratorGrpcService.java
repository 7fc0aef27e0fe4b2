package dev.meshwork.orchestrator.internal.grpc;

import static java.util.Objects.requireNonNull;

import dev.meshwork.api.orchestrator.v1.CancelRunRequest;
import dev.meshwork.api.orchestrator.v1.CancelRunResponse;
import dev.meshwork.api.orchestrator.v1.GetRunRequest;
import dev.meshwork.api.orchestrator.v1.GetRunResponse;
import dev.meshwork.api.orchestrator.v1.GetWorkflowRequest;
import dev.meshwork.api.orchestrator.v1.GetWorkflowResponse;
import dev.meshwork.api.orchestrator.v1.ListRunsRequest;
import dev.meshwork.api.orchestrator.v1.ListRunsResponse;
import dev.meshwork.api.orchestrator.v1.ListWorkflowsRequest;
import dev.meshwork.api.orchestrator.v1.ListWorkflowsResponse;
import dev.meshwork.api.orchestrator.v1.OrchestratorServiceGrpc;
import dev.meshwork.api.orchestrator.v1.PutWorkflowRequest;
import dev.meshwork.api.orchestrator.v1.PutWorkflowResponse;
import dev.meshwork.api.orchestrator.v1.RetryRunRequest;
import dev.meshwork.api.orchestrator.v1.RetryRunResponse;
import dev.meshwork.api.orchestrator.v1.Run;
import dev.meshwork.api.orchestrator.v1.StartAndWatchRunRequest;
import dev.meshwork.api.orchestrator.v1.StartAndWatchRunResponse;
import dev.meshwork.api.orchestrator.v1.StartRunRequest;
import dev.meshwork.api.orchestrator.v1.StartRunResponse;
import dev.meshwork.api.orchestrator.v1.WorkflowSpec;
import dev.meshwork.core.MeshException;
import dev.meshwork.orchestrator.Orchestrator;
import dev.meshwork.orchestrator.Page;
import io.grpc.stub.StreamObserver;

/**
 * {@code OrchestratorService} over gRPC: translates requests to {@link Orchestrator} calls and
 * results to responses. Failures are thrown as {@link MeshException}s; the server's interceptor
 * maps them to statuses.
 */
public final class OrchestratorGrpcService
    extends OrchestratorServiceGrpc.OrchestratorServiceImplBase {

  private final Orchestrator orchestrator;

  /** A service over {@code orchestrator}. */
  public OrchestratorGrpcService(Orchestrator orchestrator) {
    this.orchestrator = requireNonNull(orchestrator, "orchestrator");
  }

  @Override
  public void startRun(StartRunRequest request, StreamObserver<StartRunResponse> response) {
    reply(response, started(orchestrator.startRun(request)));
  }

  /**
   * Starts the run, then watches it from its first event on the same stream: the watch begins only
   * once the run is stored, so it replays whatever the run did meanwhile and misses nothing.
   */
  @Override
  public void startAndWatchRun(
      StartAndWatchRunRequest request, StreamObserver<StartAndWatchRunResponse> response) {
    WatchBridge<StartAndWatchRunResponse> bridge =
        new WatchBridge<>(
            response, (e, position) -> StartAndWatchRunResponse.newBuilder().setEvent(e).build());
    StartRunResponse started = started(orchestrator.startRun(request.getStart()));
    bridge.sendFirst(StartAndWatchRunResponse.newBuilder().setStarted(started).build());
    bridge.attach(orchestrator.watchRun(started.getRun().getRunId(), 0, bridge));
  }

  @Override
  public void getRun(GetRunRequest request, StreamObserver<GetRunResponse> response) {
    reply(
        response,
        GetRunResponse.newBuilder().setRun(orchestrator.getRun(request.getRunId())).build());
  }

  @Override
  public void listRuns(ListRunsRequest request, StreamObserver<ListRunsResponse> response) {
    // The position first: every event published after it is then either reflected in the listing
    // or replayable after it, so a dashboard that lists and then watches misses nothing.
    long position = orchestrator.firehosePosition();
    Page<Run> page = orchestrator.listRuns(request);
    reply(
        response,
        ListRunsResponse.newBuilder()
            .addAllRuns(page.items())
            .setNextPageToken(page.nextPageToken())
            .setPosition(position)
            .build());
  }

  @Override
  public void cancelRun(CancelRunRequest request, StreamObserver<CancelRunResponse> response) {
    Run run = orchestrator.cancelRun(request.getRunId(), request.getReason());
    reply(response, CancelRunResponse.newBuilder().setRun(run).build());
  }

  @Override
  public void retryRun(RetryRunRequest request, StreamObserver<RetryRunResponse> response) {
    reply(
        response,
        RetryRunResponse.newBuilder().setRun(orchestrator.retryRun(request.getRunId())).build());
  }

  @Override
  public void putWorkflow(
      PutWorkflowRequest request, StreamObserver<PutWorkflowResponse> response) {
    if (!request.hasWorkflow()) {
      throw MeshException.invalidArgument("workflow", "missing (expected: a WorkflowSpec)");
    }
    WorkflowSpec stored = orchestrator.putWorkflow(request.getWorkflow());
    reply(response, PutWorkflowResponse.newBuilder().setWorkflow(stored).build());
  }

  @Override
  public void getWorkflow(
      GetWorkflowRequest request, StreamObserver<GetWorkflowResponse> response) {
    WorkflowSpec spec = orchestrator.getWorkflow(request.getName(), request.getVersion());
    reply(response, GetWorkflowResponse.newBuilder().setWorkflow(spec).build());
  }

  @Override
  public void listWorkflows(
      ListWorkflowsRequest request, StreamObserver<ListWorkflowsResponse> response) {
    Page<WorkflowSpec> page =
        orchestrator.listWorkflows(request.getPageSize(), request.getPageToken());
    reply(
        response,
        ListWorkflowsResponse.newBuilder()
            .addAllWorkflows(page.items())
            .setNextPageToken(page.nextPageToken())
            .build());
  }

  private static StartRunResponse started(Orchestrator.Started started) {
    return StartRunResponse.newBuilder()
        .setRun(started.run())
        .setExisting(started.existing())
        .build();
  }

  private static <T> void reply(StreamObserver<T> response, T message) {
    response.onNext(message);
    response.onCompleted();
  }
}
