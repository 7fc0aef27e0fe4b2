package dev.meshwork.orchestrator.internal.stream;

import static java.util.Objects.requireNonNull;

import dev.meshwork.api.orchestrator.v1.Run;
import dev.meshwork.api.orchestrator.v1.RunEvent;
import dev.meshwork.api.orchestrator.v1.WorkflowSpec;
import dev.meshwork.core.ErrorCode;
import dev.meshwork.core.MeshException;
import dev.meshwork.orchestrator.EventStream;
import dev.meshwork.orchestrator.RunFilter;
import dev.meshwork.orchestrator.RunStore;
import dev.meshwork.orchestrator.internal.RunStates;
import dev.meshwork.orchestrator.internal.engine.RunListener;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * Fans stored run events out to watchers. The engine calls {@link #onEvents} after each commit; the
 * hub only hands events to per-subscriber bounded buffers, so a slow subscriber costs the engine
 * nothing but a dropped buffer.
 *
 * <p>Every published event gets a position in the firehose of all runs, and the hub keeps the last
 * {@code historySize} of them, so that a firehose watcher whose connection dropped can resume after
 * the last position it saw. Positions start at a value derived from the wall clock (see {@code
 * Orchestrator}), so a position from before a restart is older than anything held and gets {@code
 * POSITION_COMPACTED} rather than a replay of unrelated events.
 */
public final class RunEventHub implements RunListener {

  private final RunStore store;
  private final Executor executor;
  private final int bufferSize;
  /** Firehose sessions, each checked against every run's events. */
  private final Set<WatchSession> firehoses = ConcurrentHashMap.newKeySet();

  /**
   * Single-run sessions by run id: publishing a run's events looks up its watchers instead of
   * asking every watcher of every run (the writer thread publishes each commit's runs in turn).
   */
  private final Map<String, Set<WatchSession>> byRun = new ConcurrentHashMap<>();

  /**
   * Guards the history and orders publishing against firehose registration: a resuming watcher
   * takes its replay snapshot and joins the live sessions under it, so each event reaches it
   * exactly once, from the snapshot or live.
   */
  private final Object publishLock = new Object();

  private final FirehoseHistory history;

  /**
   * A hub.
   *
   * @param store where single-run replays read from
   * @param executor runs the sessions' drainers
   * @param bufferSize events a subscriber may lag behind before it is cut off
   * @param historySize firehose events kept for resuming watchers
   * @param startPosition the position before the first event this hub publishes; must exceed every
   *     position an earlier incarnation gave out
   */
  public RunEventHub(
      RunStore store, Executor executor, int bufferSize, int historySize, long startPosition) {
    this.store = requireNonNull(store, "store");
    this.executor = requireNonNull(executor, "executor");
    if (bufferSize < 1) {
      throw new IllegalArgumentException("bufferSize: " + bufferSize + " (expected: >= 1)");
    }
    if (historySize < 1) {
      throw new IllegalArgumentException("historySize: " + historySize + " (expected: >= 1)");
    }
    this.bufferSize = bufferSize;
    this.history = new FirehoseHistory(historySize, startPosition);
  }

  @Override
  public void onEvents(Run run, List<RunEvent> events) {
    if (events.isEmpty()) {
      return;
    }
    // Built outside the lock: the writer thread is the only caller, and the lock is shared with
    // watchers registering.
    Run filterable = filterableOf(run);
    synchronized (publishLock) {
      List<PublishedEvent> published = history.append(filterable, events);
      Set<WatchSession> watchers = byRun.get(run.getRunId());
      if (watchers != null) {
        for (WatchSession session : watchers) {
          session.offer(published);
        }
      }
      for (WatchSession session : firehoses) {
        if (session.accepts(filterable)) {
          session.offer(published);
        }
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
    WatchSession session =
        WatchSession.forRun(stream, executor, bufferSize, store, runId, afterSequence);
    // Joined before reading the store, so nothing falls between the replay and the live events.
    register(session);
    List<RunEvent> firstPage;
    try {
      firstPage = store.eventsAfter(runId, afterSequence, WatchSession.REPLAY_PAGE);
      if (firstPage.isEmpty()) {
        // Only now is the run itself needed: a run has at least one event, so events after the
        // client's sequence mean it exists and the sequence is not past its last.
        Run run = store.get(runId).orElseThrow(() -> MeshException.notFound("run", runId));
        if (afterSequence > run.getLastSequence()) {
          throw outOfRange(runId, afterSequence, run);
        }
        if (afterSequence == run.getLastSequence() && RunStates.isTerminal(run.getState())) {
          // Nothing left to send and nothing will come.
          session.cancel();
          stream.complete();
          return session;
        }
      }
    } catch (RuntimeException e) {
      session.cancel();
      throw e;
    }
    session.start(firstPage);
    return session;
  }

  /**
   * Watches every run matching {@code filter}: replays the held events after {@code afterPosition}
   * (none for 0), then tails live ones; never ends by itself.
   *
   * @throws MeshException {@code INVALID_ARGUMENT} for a negative position, {@code OUT_OF_RANGE}
   *     (reason {@code POSITION_COMPACTED} or {@code POSITION_UNKNOWN}) for one it cannot resume
   *     after
   */
  public WatchSession watchRuns(RunFilter filter, long afterPosition, EventStream stream) {
    requireNonNull(filter, "filter");
    requireNonNull(stream, "stream");
    if (afterPosition < 0) {
      throw MeshException.invalidArgument(
          "after_position",
          afterPosition + " (expected: >= 0, 0 for live events only, else a received position)");
    }
    WatchSession session;
    synchronized (publishLock) {
      List<PublishedEvent> missed = afterPosition == 0 ? List.of() : history.after(afterPosition);
      // A live-only watcher that is cut off before it got anything can still resume from here.
      long from = afterPosition == 0 ? history.lastPosition() : afterPosition;
      session = WatchSession.forRuns(stream, executor, bufferSize, filter, missed, from);
      register(session);
    }
    session.start();
    return session;
  }

  /** The position of the latest published event. */
  public long lastPosition() {
    synchronized (publishLock) {
      return history.lastPosition();
    }
  }

  /** Current subscribers. */
  public int subscribers() {
    int count = firehoses.size();
    for (Set<WatchSession> watchers : byRun.values()) {
      count += watchers.size();
    }
    return count;
  }

  private void register(WatchSession session) {
    String runId = session.runId();
    if (runId == null) {
      firehoses.add(session);
      session.onClose(() -> firehoses.remove(session));
      return;
    }
    byRun.compute(runId, (id, watchers) -> add(watchers, session));
    session.onClose(
        () -> byRun.computeIfPresent(runId, (id, watchers) -> remove(watchers, session)));
  }

  private static Set<WatchSession> add(Set<WatchSession> watchers, WatchSession session) {
    Set<WatchSession> set = watchers == null ? ConcurrentHashMap.newKeySet() : watchers;
    set.add(session);
    return set;
  }

  /** Removes {@code session}; null (the run's entry goes) when it was the last. */
  private static Set<WatchSession> remove(Set<WatchSession> watchers, WatchSession session) {
    watchers.remove(session);
    return watchers.isEmpty() ? null : watchers;
  }

  /** The parts of {@code run} that {@link RunFilter} and {@link WatchSession#accepts} read. */
  private static Run filterableOf(Run run) {
    return Run.newBuilder()
        .setRunId(run.getRunId())
        .setState(run.getState())
        .setWorkflow(WorkflowSpec.newBuilder().setName(run.getWorkflow().getName()))
        .putAllLabels(run.getLabelsMap())
        .build();
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
