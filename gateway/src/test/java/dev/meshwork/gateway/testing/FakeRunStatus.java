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
import dev.meshwork.core.ErrorCode;
import dev.meshwork.core.GrpcErrors;
import dev.meshwork.core.MeshException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
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
 * after the run's terminal event; WatchRuns gives every event a position from {@link
 * #FIRST_POSITION} on, replays those after {@code after_position}, then tails every run (a position
 * below {@code FIRST_POSITION - 1} is {@code POSITION_COMPACTED}, one after the last {@code
 * POSITION_UNKNOWN}).
 * Open watches are counted so tests can see a dropped HTTP client cancel its upstream call.
 */
public final class FakeRunStatus extends RunStatusServiceGrpc.RunStatusServiceImplBase {

  private static final Set<RunEventType> TERMINAL =
      Set.of(
          RunEventType.RUN_EVENT_TYPE_RUN_COMPLETED,
          RunEventType.RUN_EVENT_TYPE_RUN_FAILED,
          RunEventType.RUN_EVENT_TYPE_RUN_CANCELED);

  /** The position of the first firehose event; far from sequences, so tests cannot mix them up. */
  public static final long FIRST_POSITION = 1_001;

  private final Map<String, List<RunEvent>> logs = new HashMap<>();
  private final List<WatchRunsResponse> firehoseLog = new ArrayList<>();
  private final List<WatchRunsRequest> firehoseRequests = new ArrayList<>();
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
    WatchRunsResponse positioned =
        WatchRunsResponse.newBuilder()
            .setEvent(event)
            .setPosition(FIRST_POSITION + firehoseLog.size())
            .build();
    firehoseLog.add(positioned);
    for (ServerCallStreamObserver<WatchRunsResponse> out : firehose) {
      out.onNext(positioned);
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

  /** The WatchRuns requests received, in order. */
  public synchronized List<WatchRunsRequest> firehoseRequests() {
    return List.copyOf(firehoseRequests);
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
    firehoseRequests.add(request);
    long after = request.getAfterPosition();
    long last = FIRST_POSITION + firehoseLog.size() - 1;
    if (after > last) {
      out.onError(outOfRange("POSITION_UNKNOWN", after + " is ahead of " + last));
      return;
    }
    if (after != 0 && after < FIRST_POSITION - 1) {
      out.onError(outOfRange("POSITION_COMPACTED", after + " is no longer held"));
      return;
    }
    ServerCallStreamObserver<WatchRunsResponse> call = (ServerCallStreamObserver<WatchRunsResponse>) out;
    if (after != 0) {
      firehoseLog.stream().filter(r -> r.getPosition() > after).forEach(call::onNext);
    }
    firehose.add(call);
    call.setOnCancelHandler(() -> removeFirehose(call));
  }

  private static StatusRuntimeException outOfRange(String reason, String message) {
    return GrpcErrors.toStatusException(
        MeshException.of(ErrorCode.OUT_OF_RANGE, reason, "after_position " + message));
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
