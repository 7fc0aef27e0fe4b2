package dev.meshwork.gateway.testing;

import com.google.protobuf.util.Timestamps;
import dev.meshwork.api.orchestrator.v1.RunEvent;
import dev.meshwork.api.orchestrator.v1.RunEventType;
import dev.meshwork.api.orchestrator.v1.RunState;
import dev.meshwork.api.orchestrator.v1.RunStatusServiceGrpc;
import dev.meshwork.api.orchestrator.v1.StepState;
import dev.meshwork.api.orchestrator.v1.WatchRunRequest;
import dev.meshwork.api.orchestrator.v1.WatchRunResponse;
import dev.meshwork.api.orchestrator.v1.WatchRunsRequest;
import dev.meshwork.api.orchestrator.v1.WatchRunsResponse;
import dev.meshwork.core.GrpcErrors;
import dev.meshwork.core.MeshException;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An in-memory RunStatusService following the contract: per-run event logs with gapless
 * sequences from 1; WatchRun replays the events after {@code after_sequence}, then tails, and ends
 * after the run's terminal event; WatchRuns tails every run. Open watches are counted so tests can
 * see a dropped HTTP client cancel its upstream call.
 */
public final class FakeRunStatus extends RunStatusServiceGrpc.RunStatusServiceImplBase {

  private static final Set<RunEventType> TERMINAL =
      Set.of(
          RunEventType.RUN_EVENT_TYPE_RUN_COMPLETED,
          RunEventType.RUN_EVENT_TYPE_RUN_FAILED,
          RunEventType.RUN_EVENT_TYPE_RUN_CANCELED);

  private final Map<String, List<RunEvent>> logs = new HashMap<>();
  private final Map<String, List<ServerCallStreamObserver<WatchRunResponse>>> watchers =
      new HashMap<>();
  private final List<ServerCallStreamObserver<WatchRunsResponse>> firehose = new ArrayList<>();
  private final List<WatchRunRequest> watchRequests = new ArrayList<>();

  /** Creates an empty run log (so watching it is not NOT_FOUND). */
  public synchronized void create(String runId) {
    logs.computeIfAbsent(runId, id -> new ArrayList<>());
  }

  /**
   * Appends an event of {@code type} to {@code runId}'s log (run and step states as the type
   * implies, attempt 1 on agent instance {@code i-1} for step events) and tells the watchers.
   */
  public synchronized RunEvent append(String runId, RunEventType type, String stepId) {
    List<RunEvent> log = logs.computeIfAbsent(runId, id -> new ArrayList<>());
    RunEvent.Builder event =
        RunEvent.newBuilder()
            .setRunId(runId)
            .setSequence(log.size() + 1)
            .setType(type)
            .setTime(Timestamps.fromMillis(System.currentTimeMillis()))
            .setRunState(runState(type))
            .setStepId(stepId)
            .setItemIndex(-1);
    if (!stepId.isEmpty()) {
      event.setStepState(stepState(type)).setAttempt(1).setAgentInstance("i-1");
    }
    return publish(runId, log, event.build());
  }

  private RunEvent publish(String runId, List<RunEvent> log, RunEvent event) {
    log.add(event);
    for (ServerCallStreamObserver<WatchRunResponse> out :
        List.copyOf(watchers.getOrDefault(runId, List.of()))) {
      out.onNext(WatchRunResponse.newBuilder().setEvent(event).build());
      if (TERMINAL.contains(event.getType())) {
        out.onCompleted();
        watchers.get(runId).remove(out);
      }
    }
    for (ServerCallStreamObserver<WatchRunsResponse> out : firehose) {
      out.onNext(WatchRunsResponse.newBuilder().setEvent(event).build());
    }
    return event;
  }

  private static RunState runState(RunEventType type) {
    return switch (type) {
      case RUN_EVENT_TYPE_RUN_SUBMITTED -> RunState.RUN_STATE_SUBMITTED;
      case RUN_EVENT_TYPE_RUN_COMPLETED -> RunState.RUN_STATE_COMPLETED;
      case RUN_EVENT_TYPE_RUN_FAILED -> RunState.RUN_STATE_FAILED;
      case RUN_EVENT_TYPE_RUN_CANCELED -> RunState.RUN_STATE_CANCELED;
      default -> RunState.RUN_STATE_WORKING;
    };
  }

  private static StepState stepState(RunEventType type) {
    return switch (type) {
      case RUN_EVENT_TYPE_STEP_COMPLETED -> StepState.STEP_STATE_COMPLETED;
      case RUN_EVENT_TYPE_STEP_FAILED -> StepState.STEP_STATE_FAILED;
      case RUN_EVENT_TYPE_STEP_SKIPPED -> StepState.STEP_STATE_SKIPPED;
      case RUN_EVENT_TYPE_STEP_CANCELED -> StepState.STEP_STATE_CANCELED;
      case RUN_EVENT_TYPE_STEP_COMPENSATED -> StepState.STEP_STATE_COMPENSATED;
      default -> StepState.STEP_STATE_WORKING;
    };
  }

  /** Ends every open watch of {@code runId} with {@code status}. */
  public synchronized void breakWatches(String runId, Status status) {
    for (ServerCallStreamObserver<WatchRunResponse> out :
        List.copyOf(watchers.getOrDefault(runId, List.of()))) {
      out.onError(status.asRuntimeException());
    }
    watchers.remove(runId);
  }

  /** Open WatchRun calls, over all runs. */
  public synchronized int openWatches() {
    return watchers.values().stream().mapToInt(List::size).sum();
  }

  /** Open WatchRuns calls. */
  public synchronized int openFirehoses() {
    return firehose.size();
  }

  /** The WatchRun requests received, in order. */
  public synchronized List<WatchRunRequest> watchRequests() {
    return List.copyOf(watchRequests);
  }

  @Override
  public synchronized void watchRun(WatchRunRequest request, StreamObserver<WatchRunResponse> out) {
    watchRequests.add(request);
    List<RunEvent> log = logs.get(request.getRunId());
    if (log == null) {
      out.onError(GrpcErrors.toStatusException(MeshException.notFound("run", request.getRunId())));
      return;
    }
    ServerCallStreamObserver<WatchRunResponse> call = (ServerCallStreamObserver<WatchRunResponse>) out;
    boolean ended = false;
    for (RunEvent event : log) {
      if (event.getSequence() > request.getAfterSequence()) {
        call.onNext(WatchRunResponse.newBuilder().setEvent(event).build());
      }
      ended |= TERMINAL.contains(event.getType());
    }
    if (ended) {
      call.onCompleted();
      return;
    }
    watchers.computeIfAbsent(request.getRunId(), id -> new ArrayList<>()).add(call);
    call.setOnCancelHandler(() -> removeWatcher(request.getRunId(), call));
  }

  @Override
  public synchronized void watchRuns(
      WatchRunsRequest request, StreamObserver<WatchRunsResponse> out) {
    ServerCallStreamObserver<WatchRunsResponse> call = (ServerCallStreamObserver<WatchRunsResponse>) out;
    firehose.add(call);
    call.setOnCancelHandler(() -> removeFirehose(call));
  }

  private synchronized void removeWatcher(String runId, ServerCallStreamObserver<WatchRunResponse> call) {
    List<ServerCallStreamObserver<WatchRunResponse>> list = watchers.get(runId);
    if (list != null) {
      list.remove(call);
    }
  }

  private synchronized void removeFirehose(ServerCallStreamObserver<WatchRunsResponse> call) {
    firehose.remove(call);
  }
}
