package dev.meshwork.bench;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.util.Timestamps;
import dev.meshwork.api.orchestrator.v1.Run;
import dev.meshwork.api.orchestrator.v1.RunEvent;
import dev.meshwork.api.orchestrator.v1.RunEventType;
import dev.meshwork.api.orchestrator.v1.StartRunRequest;
import dev.meshwork.core.ErrorCode;
import dev.meshwork.core.MeshException;
import dev.meshwork.orchestrator.EventStream;
import dev.meshwork.orchestrator.Orchestrator;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Runs through an {@link Orchestrator} in this JVM: {@code startRun}, then {@code watchRun} until
 * the terminal event, as {@link RunDriver} does over gRPC.
 */
final class InProcessRuns implements RunSource {

  private final Orchestrator orchestrator;
  private final ExecutorService starters;

  /**
   * Runs on {@code orchestrator}; {@code starters} calls {@code startRun}, which waits for the run
   * to be stored (it must not run on the thread that delivers a watch's events).
   */
  InProcessRuns(Orchestrator orchestrator, ExecutorService starters) {
    this.orchestrator = requireNonNull(orchestrator, "orchestrator");
    this.starters = requireNonNull(starters, "starters");
  }

  @Override
  public void run(StartRunRequest request, Consumer<RunDriver.Outcome> done) {
    long t0 = System.nanoTime();
    starters.execute(
        () -> {
          Run run;
          try {
            run = orchestrator.startRun(request).run();
          } catch (MeshException e) {
            RunDriver.Kind kind =
                e.code() == ErrorCode.RESOURCE_EXHAUSTED
                    ? RunDriver.Kind.REJECTED
                    : RunDriver.Kind.FAILED;
            done.accept(new RunDriver.Outcome(kind, System.nanoTime() - t0, 0));
            return;
          }
          orchestrator.watchRun(run.getRunId(), 0, new Watch(run, t0, done));
        });
  }

  /** Reports the run's outcome at its terminal event, or as failed if the watch ends first. */
  private static final class Watch implements EventStream {
    private final long createMicros;
    private final long t0;
    private final Consumer<RunDriver.Outcome> done;
    private final AtomicBoolean reported = new AtomicBoolean();

    Watch(Run run, long t0, Consumer<RunDriver.Outcome> done) {
      this.createMicros = Timestamps.toMicros(run.getCreateTime());
      this.t0 = t0;
      this.done = done;
    }

    @Override
    public boolean isReady() {
      return true;
    }

    @Override
    public void send(RunEvent event) {
      if (!RunDriver.TERMINAL.contains(event.getType()) || !reported.compareAndSet(false, true)) {
        return;
      }
      long serverNanos = (Timestamps.toMicros(event.getTime()) - createMicros) * 1_000;
      RunDriver.Kind kind =
          event.getType() == RunEventType.RUN_EVENT_TYPE_RUN_COMPLETED
              ? RunDriver.Kind.COMPLETED
              : RunDriver.Kind.FAILED;
      done.accept(new RunDriver.Outcome(kind, System.nanoTime() - t0, serverNanos));
    }

    @Override
    public void complete() {
      failIfUnreported();
    }

    @Override
    public void fail(MeshException error) {
      failIfUnreported();
    }

    private void failIfUnreported() {
      if (reported.compareAndSet(false, true)) {
        done.accept(new RunDriver.Outcome(RunDriver.Kind.FAILED, System.nanoTime() - t0, 0));
      }
    }
  }
}
