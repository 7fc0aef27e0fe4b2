package dev.meshwork.cli.testing;

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
import dev.meshwork.api.orchestrator.v1.RunState;
import dev.meshwork.api.orchestrator.v1.StartRunRequest;
import dev.meshwork.api.orchestrator.v1.StartRunResponse;
import dev.meshwork.api.orchestrator.v1.WorkflowSpec;
import dev.meshwork.core.ErrorCode;
import dev.meshwork.core.GrpcErrors;
import dev.meshwork.core.MeshException;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * An OrchestratorService with just what meshctl calls, over in-memory runs and workflows. Errors go
 * through core's {@link GrpcErrors}, so meshctl sees the details a real server sends. Every request
 * is recorded for assertions.
 */
public final class FakeOrchestrator extends OrchestratorServiceGrpc.OrchestratorServiceImplBase {

  private final Map<String, Run> runs = new ConcurrentHashMap<>();
  private final List<Run> runOrder = new CopyOnWriteArrayList<>();
  private final Map<String, List<WorkflowSpec>> workflows = new ConcurrentHashMap<>();
  private final List<Object> requests = new CopyOnWriteArrayList<>();
  private final Map<String, RuntimeException> failures = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<Run> getRunAnswers = new ConcurrentLinkedQueue<>();
  private volatile Run nextStarted;
  private volatile boolean nextExisting;
  private volatile int maxPageSize = 1000;

  /** Adds (or replaces) a run that GetRun, ListRuns, CancelRun and RetryRun see. */
  public FakeOrchestrator put(Run run) {
    if (runs.put(run.getRunId(), run) == null) {
      runOrder.add(0, run);
    } else {
      runOrder.replaceAll(r -> r.getRunId().equals(run.getRunId()) ? run : r);
    }
    return this;
  }

  /** Stores a workflow version as PutWorkflow would. */
  public FakeOrchestrator store(WorkflowSpec workflow) {
    List<WorkflowSpec> versions =
        workflows.computeIfAbsent(workflow.getName(), name -> new CopyOnWriteArrayList<>());
    versions.add(workflow.toBuilder().setVersion(versions.size() + 1).build());
    return this;
  }

  /**
   * Queues the answers of the next GetRun calls (each one stored as it is answered), so a test can
   * show a run progressing; once the queue is empty GetRun answers the stored run.
   */
  public FakeOrchestrator thenGetRun(Run... answers) {
    getRunAnswers.addAll(List.of(answers));
    return this;
  }

  /** What the next StartRun answers (the run is also stored). */
  public FakeOrchestrator startsRun(Run run, boolean existing) {
    this.nextStarted = run;
    this.nextExisting = existing;
    return this;
  }

  /** Makes the RPC {@code method} (e.g. {@code "putWorkflow"}) fail with {@code failure}. */
  public FakeOrchestrator fail(String method, RuntimeException failure) {
    failures.put(method, failure);
    return this;
  }

  /** Caps the page size, to make meshctl follow page tokens. */
  public FakeOrchestrator maxPageSize(int size) {
    this.maxPageSize = size;
    return this;
  }

  /** Every request of type {@code type} so far. */
  public <T> List<T> requests(Class<T> type) {
    return requests.stream().filter(type::isInstance).map(type::cast).toList();
  }

  @Override
  public void startRun(StartRunRequest request, StreamObserver<StartRunResponse> response) {
    answer(
        "startRun",
        request,
        response,
        () -> {
          Run run = nextStarted;
          if (run == null) {
            throw MeshException.of(ErrorCode.INTERNAL, "NO_SCRIPT", "no run to start");
          }
          put(run);
          return StartRunResponse.newBuilder().setRun(run).setExisting(nextExisting).build();
        });
  }

  @Override
  public void getRun(GetRunRequest request, StreamObserver<GetRunResponse> response) {
    answer(
        "getRun",
        request,
        response,
        () -> {
          Run next = getRunAnswers.poll();
          if (next != null) {
            put(next);
          }
          return GetRunResponse.newBuilder().setRun(run(request.getRunId())).build();
        });
  }

  @Override
  public void listRuns(ListRunsRequest request, StreamObserver<ListRunsResponse> response) {
    answer(
        "listRuns",
        request,
        response,
        () -> {
          List<Run> matching = new ArrayList<>();
          for (Run run : runOrder) {
            boolean stateMatches =
                request.getStatesList().isEmpty()
                    || request.getStatesList().contains(run.getState());
            boolean workflowMatches =
                request.getWorkflowName().isEmpty()
                    || request.getWorkflowName().equals(run.getWorkflow().getName());
            if (stateMatches && workflowMatches) {
              matching.add(run);
            }
          }
          return page(
              matching,
              request.getPageSize(),
              request.getPageToken(),
              (runs, token) ->
                  ListRunsResponse.newBuilder().addAllRuns(runs).setNextPageToken(token).build());
        });
  }

  @Override
  public void cancelRun(CancelRunRequest request, StreamObserver<CancelRunResponse> response) {
    answer(
        "cancelRun",
        request,
        response,
        () -> {
          Run run =
              run(request.getRunId()).toBuilder().setState(RunState.RUN_STATE_CANCELED).build();
          put(run);
          return CancelRunResponse.newBuilder().setRun(run).build();
        });
  }

  @Override
  public void retryRun(RetryRunRequest request, StreamObserver<RetryRunResponse> response) {
    answer(
        "retryRun",
        request,
        response,
        () -> {
          Run run = run(request.getRunId());
          if (run.getState() != RunState.RUN_STATE_FAILED) {
            throw MeshException.of(
                ErrorCode.FAILED_PRECONDITION,
                "RUN_NOT_FAILED",
                "run '" + run.getRunId() + "' is " + run.getState() + ", not FAILED");
          }
          Run retried = run.toBuilder().setState(RunState.RUN_STATE_WORKING).build();
          put(retried);
          return RetryRunResponse.newBuilder().setRun(retried).build();
        });
  }

  @Override
  public void putWorkflow(
      PutWorkflowRequest request, StreamObserver<PutWorkflowResponse> response) {
    answer(
        "putWorkflow",
        request,
        response,
        () -> {
          store(request.getWorkflow());
          List<WorkflowSpec> versions = workflows.get(request.getWorkflow().getName());
          return PutWorkflowResponse.newBuilder()
              .setWorkflow(versions.get(versions.size() - 1))
              .build();
        });
  }

  @Override
  public void getWorkflow(
      GetWorkflowRequest request, StreamObserver<GetWorkflowResponse> response) {
    answer(
        "getWorkflow",
        request,
        response,
        () -> {
          List<WorkflowSpec> versions = workflows.get(request.getName());
          if (versions == null || request.getVersion() > versions.size()) {
            throw MeshException.notFound("workflow", request.getName());
          }
          int index = request.getVersion() == 0 ? versions.size() - 1 : request.getVersion() - 1;
          return GetWorkflowResponse.newBuilder().setWorkflow(versions.get(index)).build();
        });
  }

  @Override
  public void listWorkflows(
      ListWorkflowsRequest request, StreamObserver<ListWorkflowsResponse> response) {
    answer(
        "listWorkflows",
        request,
        response,
        () -> {
          List<WorkflowSpec> latest =
              workflows.keySet().stream()
                  .sorted()
                  .map(name -> workflows.get(name).get(workflows.get(name).size() - 1))
                  .toList();
          return page(
              latest,
              request.getPageSize(),
              request.getPageToken(),
              (items, token) ->
                  ListWorkflowsResponse.newBuilder()
                      .addAllWorkflows(items)
                      .setNextPageToken(token)
                      .build());
        });
  }

  private Run run(String runId) {
    Run run = runs.get(runId);
    if (run == null) {
      throw MeshException.notFound("run", runId);
    }
    return run;
  }

  private <T, R> R page(
      List<T> all, int pageSize, String pageToken, BiFunction<List<T>, String, R> build) {
    int start = pageToken.isEmpty() ? 0 : Integer.parseInt(pageToken);
    int size = Math.min(pageSize == 0 ? 50 : pageSize, maxPageSize);
    int end = Math.min(all.size(), start + size);
    return build.apply(
        new ArrayList<>(all.subList(start, end)), end < all.size() ? Integer.toString(end) : "");
  }

  private <T> void answer(
      String method, Object request, StreamObserver<T> response, Supplier<T> answer) {
    requests.add(request);
    try {
      RuntimeException failure = failures.get(method);
      if (failure != null) {
        throw failure;
      }
      response.onNext(answer.get());
      response.onCompleted();
    } catch (RuntimeException e) {
      response.onError(GrpcErrors.toStatusException(e));
    }
  }
}
