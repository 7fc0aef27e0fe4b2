package dev.meshwork.orchestrator.internal.stream;

import static java.util.Objects.requireNonNull;

import dev.meshwork.api.orchestrator.v1.Run;
import dev.meshwork.api.orchestrator.v1.RunEvent;
import dev.meshwork.api.orchestrator.v1.RunState;
import dev.meshwork.core.ErrorCode;
import dev.meshwork.core.MeshException;
import dev.meshwork.orchestrator.EventStream;
import dev.meshwork.orchestrator.RunFilter;
import dev.meshwork.orchestrator.RunStore;
import dev.meshwork.orchestrator.internal.engine.RunListener;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * Fans stored run events out to watchers. The engine calls {@link #onEvents} after each commit; the
 * hub only hands events to per-subscriber bounded buffers, so a slow subscriber costs the engine
 * nothing but a dropped buffer.
 */
public final class RunEventHub implements RunListener {

  private final RunStore store;
  private final Executor executor;
  private final int bufferSize;
  private final Set<WatchSession> sessions = ConcurrentHashMap.newKeySet();

  /**
   * A hub.
   *
   * @param store where replays read from
   * @param executor runs the sessions' drainers
   * @param bufferSize events a subscriber may lag behind before it is cut off
   */
  public RunEventHub(RunStore store, Executor executor, int bufferSize) {
    this.store = requireNonNull(store, "store");
    this.executor = requireNonNull(executor, "executor");
    if (bufferSize < 1) {
      throw new IllegalArgumentException("bufferSize: " + bufferSize + " (expected: >= 1)");
    }
    this.bufferSize = bufferSize;
  }

  @Override
  public void onEvents(Run run, List<RunEvent> events) {
    for (WatchSession session : sessions) {
      if (session.accepts(run)) {
        session.offer(events);
      }
    }
  }

  /**
   * Watches one run: replays its events after {@code afterSequence}, then tails live ones; ends
   * after the terminal event.
   *
   * @throws MeshException {@code NOT_FOUND} for an unknown run, {@code OUT_OF_RANGE} for a sequence
   *     past the run's last
   */
  public WatchSession watchRun(String runId, long afterSequence, EventStream stream) {
    if (afterSequence < 0) {
      throw MeshException.invalidArgument(
          "after_sequence", afterSequence + " (expected: >= 0, 0 replays everything)");
    }
    Run run = store.get(runId).orElseThrow(() -> MeshException.notFound("run", runId));
    if (afterSequence > run.getLastSequence()) {
      throw outOfRange(runId, afterSequence, run);
    }
    WatchSession session =
        WatchSession.forRun(stream, executor, bufferSize, store, runId, afterSequence);
    register(session);
    if (afterSequence == run.getLastSequence() && isFinished(run)) {
      // Nothing left to send and nothing will come.
      session.cancel();
      stream.complete();
      return session;
    }
    session.start();
    return session;
  }

  /** Watches the live events of every run matching {@code filter}; never ends by itself. */
  public WatchSession watchRuns(RunFilter filter, EventStream stream) {
    WatchSession session = WatchSession.forRuns(stream, executor, bufferSize, filter);
    register(session);
    return session;
  }

  /** Current subscribers. */
  public int subscribers() {
    return sessions.size();
  }

  private void register(WatchSession session) {
    sessions.add(session);
    session.onClose(() -> sessions.remove(session));
  }

  private static boolean isFinished(Run run) {
    return run.getState() == RunState.RUN_STATE_COMPLETED
        || run.getState() == RunState.RUN_STATE_FAILED
        || run.getState() == RunState.RUN_STATE_CANCELED
        || run.getState() == RunState.RUN_STATE_REJECTED;
  }

  private static MeshException outOfRange(String runId, long afterSequence, Run run) {
    return MeshException.of(
        ErrorCode.OUT_OF_RANGE,
        "SEQUENCE_OUT_OF_RANGE",
        "after_sequence "
            + afterSequence
            + " is past run '"
            + runId
            + "''s last sequence "
            + run.getLastSequence());
  }
}
