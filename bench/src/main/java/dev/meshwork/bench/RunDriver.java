package dev.meshwork.bench;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.util.Timestamps;
import dev.meshwork.api.orchestrator.v1.OrchestratorServiceGrpc;
import dev.meshwork.api.orchestrator.v1.Run;
import dev.meshwork.api.orchestrator.v1.RunEvent;
import dev.meshwork.api.orchestrator.v1.RunEventType;
import dev.meshwork.api.orchestrator.v1.RunStatusServiceGrpc;
import dev.meshwork.api.orchestrator.v1.StartAndWatchRunRequest;
import dev.meshwork.api.orchestrator.v1.StartAndWatchRunResponse;
import dev.meshwork.api.orchestrator.v1.StartRunRequest;
import dev.meshwork.api.orchestrator.v1.StartRunResponse;
import dev.meshwork.api.orchestrator.v1.WatchRunRequest;
import dev.meshwork.api.orchestrator.v1.WatchRunResponse;
import io.grpc.Channel;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Starts one run and follows it until it is terminal, asynchronously: with StartRun then WatchRun,
 * or with StartAndWatchRun in one call.
 */
final class RunDriver implements RunSource {

  /** The event types that end a run. */
  static final Set<RunEventType> TERMINAL =
      Set.of(
          RunEventType.RUN_EVENT_TYPE_RUN_COMPLETED,
          RunEventType.RUN_EVENT_TYPE_RUN_FAILED,
          RunEventType.RUN_EVENT_TYPE_RUN_CANCELED);

  /**
   * How one run went.
   *
   * @param kind completed, failed (the run or a call), or rejected ({@code RESOURCE_EXHAUSTED})
   * @param clientNanos from sending {@code StartRun} to receiving the terminal event
   * @param serverNanos from the run's create time to its terminal event's time (orchestrator clock)
   */
  record Outcome(Kind kind, long clientNanos, long serverNanos) {}

  /** The kinds of outcome. */
  enum Kind {
    COMPLETED,
    FAILED,
    REJECTED
  }

  private final OrchestratorServiceGrpc.OrchestratorServiceStub orchestrator;
  private final RunStatusServiceGrpc.RunStatusServiceStub status;

  private final Timeline timeline;

  RunDriver(Channel channel) {
    this(channel, null);
  }

  /** A driver that also records the gaps between the runs' events in {@code timeline}. */
  RunDriver(Channel channel, Timeline timeline) {
    requireNonNull(channel, "channel");
    this.orchestrator = OrchestratorServiceGrpc.newStub(channel);
    this.status = RunStatusServiceGrpc.newStub(channel);
    this.timeline = timeline;
  }

  @Override
  public void run(StartRunRequest request, Consumer<Outcome> done) {
    long t0 = System.nanoTime();
    start(request, t0, response -> watch(response, t0, done), done);
  }

  private void start(
      StartRunRequest request,
      long t0,
      Consumer<StartRunResponse> started,
      Consumer<Outcome> done) {
    // From the root context: a closed-loop client starts its next run inside the callback of the
    // last one, and each call's context would otherwise be a child of the one before (gRPC logs
    // an abnormally long context chain after a thousand runs).
    Context.ROOT.run(() -> startRun(request, t0, started, done));
  }

  private void startRun(
      StartRunRequest request,
      long t0,
      Consumer<StartRunResponse> started,
      Consumer<Outcome> done) {
    orchestrator.startRun(
        request,
        new StreamObserver<>() {
          @Override
          public void onNext(StartRunResponse response) {
            started.accept(response);
          }

          @Override
          public void onError(Throwable t) {
            done.accept(new Outcome(kindOf(t), System.nanoTime() - t0, 0));
          }

          @Override
          public void onCompleted() {}
        });
  }

  /**
   * Starts a run and follows it in one call ({@code StartAndWatchRun}): what the gateway's {@code
   * POST /v1/runs:stream} relays.
   */
  void startAndWatch(StartRunRequest request, Consumer<Outcome> done) {
    long t0 = System.nanoTime();
    StartAndWatchRunRequest call = StartAndWatchRunRequest.newBuilder().setStart(request).build();
    Context.ROOT.run(
        () ->
            orchestrator.startAndWatchRun(
                call,
                new Follower<StartAndWatchRunRequest, StartAndWatchRunResponse>(
                    t0,
                    0,
                    r -> r.hasStarted() ? r.getStarted().getRun() : null,
                    r -> r.hasEvent() ? r.getEvent() : null,
                    done)));
  }

  private void watch(StartRunResponse started, long t0, Consumer<Outcome> done) {
    status.watchRun(
        WatchRunRequest.newBuilder().setRunId(started.getRun().getRunId()).build(),
        new Follower<WatchRunRequest, WatchRunResponse>(
            t0,
            Timestamps.toMicros(started.getRun().getCreateTime()),
            r -> null,
            WatchRunResponse::getEvent,
            done));
  }

  /**
   * Follows a stream of a run's events to its terminal one, then cancels it (the run is over).
   *
   * @param <ReqT> the request type
   * @param <RespT> the response type
   */
  private final class Follower<ReqT, RespT> implements ClientResponseObserver<ReqT, RespT> {
    private final long t0;
    private final Function<RespT, Run> startedOf;
    private final Function<RespT, RunEvent> eventOf;
    private final Consumer<Outcome> done;
    private final AtomicBoolean reported = new AtomicBoolean();
    private ClientCallStreamObserver<ReqT> call;
    private long createMicros;
    private RunEvent previous;

    /**
     * A follower of a call sent at {@code t0}.
     *
     * @param createMicros the run's create time, if known before the stream (0 if not)
     * @param startedOf the started run in a response, null for an event
     * @param eventOf the event in a response, null for none
     */
    Follower(
        long t0,
        long createMicros,
        Function<RespT, Run> startedOf,
        Function<RespT, RunEvent> eventOf,
        Consumer<Outcome> done) {
      this.t0 = t0;
      this.createMicros = createMicros;
      this.startedOf = startedOf;
      this.eventOf = eventOf;
      this.done = done;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<ReqT> requestStream) {
      this.call = requestStream;
    }

    @Override
    public void onNext(RespT response) {
      Run started = startedOf.apply(response);
      if (started != null) {
        createMicros = Timestamps.toMicros(started.getCreateTime());
      }
      RunEvent event = eventOf.apply(response);
      if (event == null) {
        return;
      }
      if (timeline != null && previous != null) {
        timeline.add(previous, event);
      }
      previous = event;
      if (!TERMINAL.contains(event.getType()) || !reported.compareAndSet(false, true)) {
        return;
      }
      long clientNanos = System.nanoTime() - t0;
      long serverNanos = (Timestamps.toMicros(event.getTime()) - createMicros) * 1_000;
      Kind kind =
          event.getType() == RunEventType.RUN_EVENT_TYPE_RUN_COMPLETED
              ? Kind.COMPLETED
              : Kind.FAILED;
      call.cancel("run finished", null);
      done.accept(new Outcome(kind, clientNanos, serverNanos));
    }

    @Override
    public void onError(Throwable t) {
      if (reported.compareAndSet(false, true)) {
        done.accept(new Outcome(kindOf(t), System.nanoTime() - t0, 0));
      }
    }

    @Override
    public void onCompleted() {
      if (reported.compareAndSet(false, true)) {
        done.accept(new Outcome(Kind.FAILED, System.nanoTime() - t0, 0));
      }
    }
  }

  /** A refusal for overload is REJECTED, any other failure FAILED. */
  private static Kind kindOf(Throwable failure) {
    return Status.fromThrowable(failure).getCode() == Status.Code.RESOURCE_EXHAUSTED
        ? Kind.REJECTED
        : Kind.FAILED;
  }
}
