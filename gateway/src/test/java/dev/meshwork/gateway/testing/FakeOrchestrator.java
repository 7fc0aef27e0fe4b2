package dev.meshwork.gateway.testing;

import com.google.protobuf.Any;
import com.google.protobuf.util.Durations;
import com.google.protobuf.util.Timestamps;
import com.google.rpc.RetryInfo;
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
import dev.meshwork.api.orchestrator.v1.RunEvent;
import dev.meshwork.api.orchestrator.v1.RunEventType;
import dev.meshwork.api.orchestrator.v1.RunState;
import dev.meshwork.api.orchestrator.v1.StartAndWatchRunRequest;
import dev.meshwork.api.orchestrator.v1.StartAndWatchRunResponse;
import dev.meshwork.api.orchestrator.v1.StartRunRequest;
import dev.meshwork.api.orchestrator.v1.StartRunResponse;
import dev.meshwork.api.orchestrator.v1.WorkflowSpec;
import dev.meshwork.core.ErrorCode;
import dev.meshwork.core.FieldViolation;
import dev.meshwork.core.GrpcErrors;
import dev.meshwork.core.MeshException;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * An in-memory OrchestratorService with just enough behaviour to exercise every HTTP route: runs by
 * id, stored workflows, the contract's error shapes, plus knobs for failure tests (a run id {@code
 * slow} never answers, nor does the stream of a run of the workflow {@code slow}; {@code busy} is
 * RESOURCE_EXHAUSTED with a retry delay).
 */
public final class FakeOrchestrator extends OrchestratorServiceGrpc.OrchestratorServiceImplBase {

  private final Map<String, Run> runs = new ConcurrentHashMap<>();
  private final Map<String, WorkflowSpec> workflows = new TreeMap<>();
  private final AtomicInteger ids = new AtomicInteger();
  private final List<Deadline> deadlines = new CopyOnWriteArrayList<>();
  private final List<StartRunRequest> started = new CopyOnWriteArrayList<>();
  private final AtomicInteger slowStarted = new AtomicInteger();
  private final AtomicInteger slowCancelled = new AtomicInteger();
  private volatile Consumer<Run> onStart = run -> {};

  /** Adds a run as stored. */
  public void put(Run run) {
    runs.put(run.getRunId(), run);
  }

  /** Stores a workflow as PutWorkflow would. */
  public synchronized void store(WorkflowSpec workflow) {
    workflows.put(workflow.getName(), workflow.toBuilder().setVersion(1).build());
  }

  /** Calls {@code action} with every run StartRun creates (to script its events). */
  public void onStart(Consumer<Run> action) {
    this.onStart = action;
  }

  /** The deadlines of the calls received, in order (null for none). */
  public List<Deadline> deadlines() {
    return deadlines;
  }

  /** The StartRun requests received. */
  public List<StartRunRequest> started() {
    return started;
  }

  /** How many calls of the slow run have arrived. */
  public int slowStarted() {
    return slowStarted.get();
  }

  /** How many calls of the slow run were cancelled (by their deadline or their client). */
  public int slowCancelled() {
    return slowCancelled.get();
  }

  @Override
  public void startRun(StartRunRequest request, StreamObserver<StartRunResponse> out) {
    record();
    Run run;
    try {
      run = create(request);
    } catch (MeshException e) {
      fail(out, e);
      return;
    }
    out.onNext(StartRunResponse.newBuilder().setRun(run).build());
    out.onCompleted();
    onStart.accept(run);
  }

  /**
   * Starts like StartRun, then streams the run's events: SUBMITTED, STARTED and COMPLETED with
   * sequences 1 to 3, then ends. A run of the workflow {@code slow} stays open after its started
   * message until its client goes away (counted as a call of the slow run).
   */
  @Override
  public void startAndWatchRun(
      StartAndWatchRunRequest request, StreamObserver<StartAndWatchRunResponse> out) {
    record();
    Run run;
    try {
      run = create(request.getStart());
    } catch (MeshException e) {
      fail(out, e);
      return;
    }
    out.onNext(
        StartAndWatchRunResponse.newBuilder()
            .setStarted(StartRunResponse.newBuilder().setRun(run))
            .build());
    if (run.getWorkflow().getName().equals("slow")) {
      holdSlow();
      return;
    }
    List<RunEventType> types =
        List.of(
            RunEventType.RUN_EVENT_TYPE_RUN_SUBMITTED,
            RunEventType.RUN_EVENT_TYPE_RUN_STARTED,
            RunEventType.RUN_EVENT_TYPE_RUN_COMPLETED);
    for (int i = 0; i < types.size(); i++) {
      RunEvent event =
          RunEvent.newBuilder()
              .setRunId(run.getRunId())
              .setSequence(i + 1)
              .setType(types.get(i))
              .build();
      out.onNext(StartAndWatchRunResponse.newBuilder().setEvent(event).build());
    }
    out.onCompleted();
  }

  /** Stores a run for {@code request}, as StartRun does. */
  private Run create(StartRunRequest request) {
    started.add(request);
    if (!request.hasWorkflow() && request.getWorkflowName().isEmpty()) {
      throw MeshException.invalidArgument(
          List.of(new FieldViolation("workflow", "either workflow or workflow_name is required")));
    }
    String id = "run-" + ids.incrementAndGet();
    WorkflowSpec workflow;
    synchronized (this) {
      workflow =
          request.hasWorkflow()
              ? request.getWorkflow()
              : workflows.getOrDefault(
                  request.getWorkflowName(),
                  WorkflowSpec.newBuilder().setName(request.getWorkflowName()).build());
    }
    Run run =
        Run.newBuilder()
            .setRunId(id)
            .setWorkflow(workflow)
            .setCreateTime(Timestamps.fromMillis(System.currentTimeMillis()))
            .setState(RunState.RUN_STATE_SUBMITTED)
            .setInput(request.getInput())
            .putAllLabels(request.getLabelsMap())
            .setTraceId("4bf92f3577b34da6a3ce929d0e0e4736")
            .build();
    runs.put(id, run);
    return run;
  }

  /** Never answers the current call; counts it, and counts its cancellation. */
  private void holdSlow() {
    slowStarted.incrementAndGet();
    Context.current().addListener(c -> slowCancelled.incrementAndGet(), Runnable::run);
  }

  @Override
  public void getRun(GetRunRequest request, StreamObserver<GetRunResponse> out) {
    record();
    if (request.getRunId().equals("slow")) {
      holdSlow();
      return;
    }
    if (request.getRunId().equals("busy")) {
      com.google.rpc.Status status =
          com.google.rpc.Status.newBuilder()
              .setCode(Status.Code.RESOURCE_EXHAUSTED.value())
              .setMessage("orchestrator saturated")
              .addDetails(
                  Any.pack(
                      com.google.rpc.ErrorInfo.newBuilder()
                          .setReason("SATURATED")
                          .setDomain(GrpcErrors.DOMAIN)
                          .build()))
              .addDetails(
                  Any.pack(
                      RetryInfo.newBuilder().setRetryDelay(Durations.fromMillis(2500)).build()))
              .build();
      out.onError(io.grpc.protobuf.StatusProto.toStatusRuntimeException(status));
      return;
    }
    Run run = runs.get(request.getRunId());
    if (run == null) {
      fail(out, MeshException.notFound("run", request.getRunId()));
      return;
    }
    out.onNext(GetRunResponse.newBuilder().setRun(run).build());
    out.onCompleted();
  }

  @Override
  public void listRuns(ListRunsRequest request, StreamObserver<ListRunsResponse> out) {
    record();
    List<Run> page = new ArrayList<>();
    for (Run run : new TreeMap<>(runs).values()) {
      if (request.getStatesCount() == 0 || request.getStatesList().contains(run.getState())) {
        page.add(run);
      }
    }
    int size = request.getPageSize() == 0 ? 50 : request.getPageSize();
    ListRunsResponse.Builder response = ListRunsResponse.newBuilder();
    response.addAllRuns(page.subList(0, Math.min(size, page.size())));
    if (page.size() > size) {
      response.setNextPageToken("next");
    }
    out.onNext(response.build());
    out.onCompleted();
  }

  @Override
  public void cancelRun(CancelRunRequest request, StreamObserver<CancelRunResponse> out) {
    record();
    Run run = runs.get(request.getRunId());
    if (run == null) {
      fail(out, MeshException.notFound("run", request.getRunId()));
      return;
    }
    Run canceled = run.toBuilder().setState(RunState.RUN_STATE_CANCELED).build();
    runs.put(run.getRunId(), canceled);
    out.onNext(CancelRunResponse.newBuilder().setRun(canceled).build());
    out.onCompleted();
  }

  @Override
  public void retryRun(RetryRunRequest request, StreamObserver<RetryRunResponse> out) {
    record();
    Run run = runs.get(request.getRunId());
    if (run == null) {
      fail(out, MeshException.notFound("run", request.getRunId()));
      return;
    }
    if (run.getState() != RunState.RUN_STATE_FAILED) {
      fail(
          out,
          MeshException.of(
              ErrorCode.FAILED_PRECONDITION,
              "RUN_NOT_FAILED",
              "run '" + run.getRunId() + "' is " + run.getState() + ", not FAILED"));
      return;
    }
    Run working = run.toBuilder().setState(RunState.RUN_STATE_WORKING).build();
    runs.put(run.getRunId(), working);
    out.onNext(RetryRunResponse.newBuilder().setRun(working).build());
    out.onCompleted();
  }

  @Override
  public synchronized void putWorkflow(
      PutWorkflowRequest request, StreamObserver<PutWorkflowResponse> out) {
    record();
    WorkflowSpec previous = workflows.get(request.getWorkflow().getName());
    WorkflowSpec stored =
        request.getWorkflow().toBuilder()
            .setVersion(previous == null ? 1 : previous.getVersion() + 1)
            .build();
    workflows.put(stored.getName(), stored);
    out.onNext(PutWorkflowResponse.newBuilder().setWorkflow(stored).build());
    out.onCompleted();
  }

  @Override
  public synchronized void getWorkflow(
      GetWorkflowRequest request, StreamObserver<GetWorkflowResponse> out) {
    record();
    WorkflowSpec workflow = workflows.get(request.getName());
    if (workflow == null) {
      fail(out, MeshException.notFound("workflow", request.getName()));
      return;
    }
    out.onNext(GetWorkflowResponse.newBuilder().setWorkflow(workflow).build());
    out.onCompleted();
  }

  @Override
  public synchronized void listWorkflows(
      ListWorkflowsRequest request, StreamObserver<ListWorkflowsResponse> out) {
    record();
    out.onNext(ListWorkflowsResponse.newBuilder().addAllWorkflows(workflows.values()).build());
    out.onCompleted();
  }

  private void record() {
    deadlines.add(Context.current().getDeadline());
  }

  private static void fail(StreamObserver<?> out, MeshException e) {
    out.onError(GrpcErrors.toStatusException(e));
  }
}
