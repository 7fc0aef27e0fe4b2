package dev.meshwork.cli.runs;

import static java.util.Objects.requireNonNull;

import dev.meshwork.api.orchestrator.v1.Run;
import dev.meshwork.api.orchestrator.v1.RunEvent;
import dev.meshwork.api.orchestrator.v1.RunState;
import dev.meshwork.api.orchestrator.v1.WatchRunRequest;
import dev.meshwork.api.orchestrator.v1.WatchRunResponse;
import dev.meshwork.cli.MeshctlException;
import dev.meshwork.cli.remote.MeshClient;
import dev.meshwork.cli.remote.ResumePolicy;
import dev.meshwork.cli.remote.Server;
import io.grpc.Context;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;

/**
 * Follows one run's events with {@code WatchRun} until the run ends, across dropped streams: it
 * watches again with {@code after_sequence} set to the last event it saw, and skips anything at or
 * below it, so every event is reported once and in order.
 */
final class RunFollower {

  /** What the follower reports. */
  interface Listener {

    /** A new event, in sequence order. */
    void event(RunEvent event);

    /** The stream dropped; the follower resumes after {@code sequence}. */
    void interrupted(String why, long sequence);

    /** The stream is back after an interruption. */
    void resumed(long sequence);
  }

  private static final Duration GIVE_UP_AFTER = Duration.ofMinutes(2);

  private final MeshClient client;
  private final String runId;
  private final long finalFrom;
  private long sequence;
  private RunState state;

  /**
   * A follower of {@code run} (as returned by StartRun or GetRun) from {@code afterSequence}.
   * Terminal events below the run's last sequence are history (the run was retried since) and do
   * not end the watch.
   */
  RunFollower(MeshClient client, Run run, long afterSequence) {
    this.client = requireNonNull(client, "client");
    this.runId = run.getRunId();
    this.finalFrom = run.getLastSequence();
    this.sequence = afterSequence;
    this.state = run.getState();
  }

  /**
   * Reports events until the run ends.
   *
   * @return the run's final state
   * @throws MeshctlException when the orchestrator refuses the watch, or stays unreachable
   */
  RunState follow(Listener listener) throws InterruptedException {
    ResumePolicy resume = new ResumePolicy();
    Instant outageSince = null;
    while (true) {
      Context.CancellableContext context = Context.current().withCancellation();
      try {
        Iterator<WatchRunResponse> stream = open(context);
        while (stream.hasNext()) {
          RunEvent event = stream.next().getEvent();
          if (outageSince != null) {
            listener.resumed(sequence);
            outageSince = null;
          }
          resume.reset();
          if (event.getSequence() <= sequence) {
            continue;
          }
          sequence = event.getSequence();
          if (event.getRunState() != RunState.RUN_STATE_UNSPECIFIED) {
            state = event.getRunState();
          }
          listener.event(event);
          if (RunStates.isTerminal(event) && event.getSequence() >= finalFrom) {
            return state;
          }
        }
        if (RunStates.isTerminal(state)) {
          return state;
        }
        if (outageSince == null) {
          listener.interrupted("the orchestrator ended the stream early", sequence);
          outageSince = Instant.now();
        }
      } catch (StatusRuntimeException e) {
        if (ResumePolicy.isFatal(e)) {
          throw client.failure(Server.ORCHESTRATOR, e);
        }
        if (outageSince == null) {
          listener.interrupted(
              e.getStatus().getCode() + ": " + e.getStatus().getDescription(), sequence);
          outageSince = Instant.now();
        } else if (Duration.between(outageSince, Instant.now()).compareTo(GIVE_UP_AFTER) > 0) {
          throw client.failure(Server.ORCHESTRATOR, e);
        }
      } finally {
        context.cancel(null);
      }
      resume.pause();
    }
  }

  private Iterator<WatchRunResponse> open(Context.CancellableContext context) {
    WatchRunRequest request =
        WatchRunRequest.newBuilder().setRunId(runId).setAfterSequence(sequence).build();
    Context previous = context.attach();
    try {
      return client.runStatusStreams().watchRun(request);
    } finally {
      context.detach(previous);
    }
  }
}
