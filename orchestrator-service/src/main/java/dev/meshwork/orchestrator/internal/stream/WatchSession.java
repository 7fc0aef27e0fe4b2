package dev.meshwork.orchestrator.internal.stream;

import static java.util.Objects.requireNonNull;

import dev.meshwork.api.orchestrator.v1.Run;
import dev.meshwork.api.orchestrator.v1.RunEvent;
import dev.meshwork.api.orchestrator.v1.RunEventType;
import dev.meshwork.core.MeshException;
import dev.meshwork.orchestrator.EventStream;
import dev.meshwork.orchestrator.RunFilter;
import dev.meshwork.orchestrator.RunStore;
import dev.meshwork.orchestrator.Watch;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One subscriber of run events. Live events go into a bounded buffer; the engine only ever appends
 * to it and never waits. A single drainer at a time moves events to the stream while the stream is
 * ready (flow control). A subscriber that lets its buffer fill up is cut off with {@code
 * RESOURCE_EXHAUSTED}; it can resume with {@code after_sequence} (one run) or {@code
 * after_position} (the firehose).
 *
 * <p>For a single run ({@link #forRun}) the session first replays stored events after the client's
 * sequence, then the buffered live ones, skipping any it has sent already: since it subscribes
 * before reading the store, nothing falls between replay and live tail. It ends after the run's
 * terminal event.
 *
 * <p>For the firehose ({@link #forRuns}) the hub hands over the held events after the client's
 * position, taken while no event is being published, and registers the session in the same breath:
 * the session sends the matching ones of that snapshot, then the buffered live ones, which all come
 * later.
 */
public final class WatchSession implements Watch {

  private static final Logger LOG = Logger.getLogger(WatchSession.class.getName());
  /** Stored events read at a time while replaying. */
  static final int REPLAY_PAGE = 256;

  private final EventStream stream;
  private final Executor executor;
  private final int capacity;
  private final String runId;
  private final RunFilter filter;
  private final RunStore store;
  private final Deque<PublishedEvent> buffer = new ArrayDeque<>();
  private final AtomicBoolean draining = new AtomicBoolean();
  private Runnable onClose = () -> {};

  /** The last sequence (one run) or position (firehose) sent, or where the client started. */
  private long lastSent;

  private boolean replayPending;

  /** One run only: the first replay page, read by the hub when it checked the request. */
  private List<RunEvent> prefetched;

  /**
   * Set by {@code start}: until then live events are only buffered, so that the first drain sees
   * the first replay page.
   */
  private volatile boolean started;

  /** Firehose only: held events after the client's position, not all matching the filter. */
  private List<PublishedEvent> missed;

  private int missedIndex;
  private boolean overflowed;
  private volatile boolean closed;

  private WatchSession(
      EventStream stream,
      Executor executor,
      int capacity,
      String runId,
      RunFilter filter,
      RunStore store,
      List<PublishedEvent> missed,
      long after) {
    this.stream = requireNonNull(stream, "stream");
    this.executor = requireNonNull(executor, "executor");
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity: " + capacity + " (expected: >= 1)");
    }
    this.capacity = capacity;
    this.runId = runId;
    this.filter = filter;
    this.store = store;
    this.missed = requireNonNull(missed, "missed");
    this.lastSent = after;
    this.replayPending = runId != null;
  }

  /** A session replaying, then tailing, one run's events after {@code afterSequence}. */
  static WatchSession forRun(
      EventStream stream,
      Executor executor,
      int capacity,
      RunStore store,
      String runId,
      long afterSequence) {
    return new WatchSession(
        stream,
        executor,
        capacity,
        requireNonNull(runId, "runId"),
        null,
        requireNonNull(store, "store"),
        List.of(),
        afterSequence);
  }

  /**
   * A session sending the events of {@code missed} that match {@code filter}, then tailing the live
   * events of every matching run.
   *
   * @param missed the held events after the client's position, oldest first
   * @param afterPosition the position the client resumes after, or the latest one for a live-only
   *     watch (where it would resume if cut off before it got anything)
   */
  static WatchSession forRuns(
      EventStream stream,
      Executor executor,
      int capacity,
      RunFilter filter,
      List<PublishedEvent> missed,
      long afterPosition) {
    return new WatchSession(
        stream,
        executor,
        capacity,
        null,
        requireNonNull(filter, "filter"),
        null,
        missed,
        afterPosition);
  }

  void onClose(Runnable action) {
    this.onClose = requireNonNull(action, "action");
  }

  /** The run this session watches, or null for a firehose session. */
  String runId() {
    return runId;
  }

  /**
   * True when this firehose session wants the events of {@code run} (the hub hands a single-run
   * session only its run's events).
   */
  boolean accepts(Run run) {
    return filter.matches(run);
  }

  /** Buffers live events; never blocks. */
  void offer(List<PublishedEvent> events) {
    synchronized (buffer) {
      if (closed || overflowed) {
        return;
      }
      if (buffer.size() + events.size() > capacity) {
        // Too slow: drop what is buffered and tell the drainer to cut the subscriber off.
        overflowed = true;
        buffer.clear();
      } else {
        buffer.addAll(events);
      }
    }
    scheduleDrain();
  }

  /** The stream became ready for more. */
  @Override
  public void onReady() {
    scheduleDrain();
  }

  /** The client went away. */
  @Override
  public void cancel() {
    close();
  }

  /** Starts delivering (the replay, if any). */
  void start() {
    started = true;
    scheduleDrain();
  }

  /**
   * Starts replaying one run with {@code firstPage}: its stored events after the client's
   * sequence, read after this session joined the live ones (at most {@link #REPLAY_PAGE}).
   */
  void start(List<RunEvent> firstPage) {
    prefetched = List.copyOf(firstPage);
    started = true; // publishes prefetched to the drainer
    scheduleDrain();
  }

  boolean isClosed() {
    return closed;
  }

  private void scheduleDrain() {
    if (closed || !started) {
      return;
    }
    if (draining.compareAndSet(false, true)) {
      try {
        executor.execute(this::drain);
      } catch (RejectedExecutionException e) {
        draining.set(false);
        close(); // the orchestrator is shutting down
      }
    }
  }

  private void drain() {
    try {
      drainWhileReady();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "watch failed", e);
      failQuietly(
          MeshException.of(dev.meshwork.core.ErrorCode.INTERNAL, "INTERNAL", "watch failed"));
    } finally {
      draining.set(false);
    }
    // An event may have arrived after the last look and before the flag was cleared.
    if (!closed && hasWork() && stream.isReady()) {
      scheduleDrain();
    }
  }

  private boolean hasWork() {
    synchronized (buffer) {
      return overflowed || replayPending || missedIndex < missed.size() || !buffer.isEmpty();
    }
  }

  private void drainWhileReady() {
    while (!closed) {
      boolean overflow;
      synchronized (buffer) {
        overflow = overflowed;
      }
      if (overflow) {
        String resume =
            (runId == null ? "resume with after_position=" : "resume with after_sequence=")
                + lastSent;
        failQuietly(
            MeshException.resourceExhausted(
                "SLOW_SUBSCRIBER",
                "the subscriber did not keep up with the events; " + resume,
                Duration.ZERO));
        return;
      }
      if (!stream.isReady()) {
        return;
      }
      if (replayPending) {
        List<RunEvent> page =
            prefetched != null ? prefetched : store.eventsAfter(runId, lastSent, REPLAY_PAGE);
        prefetched = null;
        // A short page holds everything stored when it was read; anything later is in the live
        // buffer already, since the session joined before the read.
        boolean full = page.size() == REPLAY_PAGE;
        replayPending = full;
        for (int i = 0; i < page.size(); i++) {
          RunEvent event = page.get(i);
          boolean last = i == page.size() - 1;
          if (!deliver(event, !last || (full && storedAfter(event)))) {
            return;
          }
        }
        continue;
      }
      if (missedIndex < missed.size()) {
        PublishedEvent old = missed.get(missedIndex++);
        if (missedIndex == missed.size()) {
          missed = List.of(); // let the snapshot go
          missedIndex = 0;
        }
        if (filter.matches(old.run())) {
          deliverPositioned(old);
        }
        continue;
      }
      PublishedEvent polled;
      synchronized (buffer) {
        polled = buffer.poll();
      }
      if (polled == null) {
        return;
      }
      if (runId == null) {
        // Positions only grow and the snapshot ends before the first buffered event; the check
        // keeps the stream duplicate-free should that ever change.
        if (polled.position() > lastSent) {
          deliverPositioned(polled);
        }
        continue;
      }
      RunEvent next = polled.event();
      if (next.getSequence() <= lastSent) {
        continue; // replayed already
      }
      if (next.getSequence() > lastSent + 1) {
        // Never expected; reading the store again keeps the stream gap-free regardless.
        replayPending = true;
        synchronized (buffer) {
          buffer.addFirst(polled);
        }
        continue;
      }
      if (!deliver(next, false)) {
        return;
      }
    }
  }

  /** Sends one firehose event with its position. */
  private void deliverPositioned(PublishedEvent published) {
    stream.send(published.event(), published.position());
    lastSent = published.position();
  }

  /**
   * Sends one event of the watched run; false when the stream has ended: after a terminal event
   * that no later one follows (a RetryRun re-drives a run after its terminal event).
   *
   * @param laterFollows a later event is known to follow (the rest of a replay page)
   */
  private boolean deliver(RunEvent event, boolean laterFollows) {
    stream.send(event);
    lastSent = Math.max(lastSent, event.getSequence());
    if (isTerminal(event.getType()) && !laterFollows && !bufferedAfter(event)) {
      close();
      stream.complete();
      return false;
    }
    return true;
  }

  /** True when the live buffer holds an event after {@code event}. */
  private boolean bufferedAfter(RunEvent event) {
    synchronized (buffer) {
      for (PublishedEvent buffered : buffer) {
        if (buffered.event().getSequence() > event.getSequence()) {
          return true;
        }
      }
      return false;
    }
  }

  /** True when the store holds an event after {@code event}. */
  private boolean storedAfter(RunEvent event) {
    return !store.eventsAfter(runId, event.getSequence(), 1).isEmpty();
  }

  private void failQuietly(MeshException error) {
    close();
    try {
      stream.fail(error);
    } catch (RuntimeException e) {
      LOG.log(Level.FINE, "cannot fail a closed stream", e);
    }
  }

  private void close() {
    if (closed) {
      return;
    }
    closed = true;
    synchronized (buffer) {
      buffer.clear();
    }
    onClose.run();
  }

  /** True for the event types that end a run. */
  static boolean isTerminal(RunEventType type) {
    return type == RunEventType.RUN_EVENT_TYPE_RUN_COMPLETED
        || type == RunEventType.RUN_EVENT_TYPE_RUN_FAILED
        || type == RunEventType.RUN_EVENT_TYPE_RUN_CANCELED;
  }
}
