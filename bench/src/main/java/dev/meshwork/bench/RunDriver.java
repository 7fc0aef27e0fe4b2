package dev.meshwork.bench;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.util.Timestamps;
import dev.meshwork.api.orchestrator.v1.OrchestratorServiceGrpc;
import dev.meshwork.api.orchestrator.v1.RunEvent;
import dev.meshwork.api.orchestrator.v1.RunEventType;
import dev.meshwork.api.orchestrator.v1.RunStatusServiceGrpc;
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

/** Starts one run and follows it with {@code WatchRun} until it is terminal, asynchronously. */
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

  /**
   * Only starts a run: {@code done} gets {@code COMPLETED} once StartRun has answered (the run is
   * stored), without following it.
   */
  void startOnly(StartRunRequest request, Consumer<Outcome> done) {
    long t0 = System.nanoTime();
    start(
        request,
        t0,
        response -> done.accept(new Outcome(Kind.COMPLETED, System.nanoTime() - t0, 0)),
        done);
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
            Kind kind =
                Status.fromThrowable(t).getCode() == Status.Code.RESOURCE_EXHAUSTED
                    ? Kind.REJECTED
                    : Kind.FAILED;
            done.accept(new Outcome(kind, System.nanoTime() - t0, 0));
          }

          @Override
          public void onCompleted() {}
        });
  }

  private void watch(StartRunResponse started, long t0, Consumer<Outcome> done) {
    long createMicros = Timestamps.toMicros(started.getRun().getCreateTime());
    AtomicBoolean reported = new AtomicBoolean();
    status.watchRun(
        WatchRunRequest.newBuilder().setRunId(started.getRun().getRunId()).build(),
        new ClientResponseObserver<WatchRunRequest, WatchRunResponse>() {
          private ClientCallStreamObserver<WatchRunRequest> call;
          private RunEvent previous;

          @Override
          public void beforeStart(ClientCallStreamObserver<WatchRunRequest> requestStream) {
            this.call = requestStream;
          }

          @Override
          public void onNext(WatchRunResponse response) {
            RunEvent event = response.getEvent();
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
              done.accept(new Outcome(Kind.FAILED, System.nanoTime() - t0, 0));
            }
          }

          @Override
          public void onCompleted() {
            if (reported.compareAndSet(false, true)) {
              done.accept(new Outcome(Kind.FAILED, System.nanoTime() - t0, 0));
            }
          }
        });
  }
}
