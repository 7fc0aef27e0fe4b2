package dev.meshwork.orchestrator.internal.stream;

import dev.meshwork.api.orchestrator.v1.Run;
import dev.meshwork.api.orchestrator.v1.RunEvent;
import dev.meshwork.core.ErrorCode;
import dev.meshwork.core.MeshException;
import java.util.ArrayList;
import java.util.List;

/**
 * Gives every published event its firehose position and keeps the last N, for firehose watchers
 * resuming from a position. Positions are consecutive within one hub, so the ring holds positions
 * {@code lastPosition - size + 1 .. lastPosition} and finding one is arithmetic (the registry's
 * {@code EventHistory} does the same with revisions). Not thread-safe: the hub guards it.
 */
final class FirehoseHistory {

  private final PublishedEvent[] ring;
  private int start;
  private int size;
  private long lastPosition;

  /**
   * An empty history.
   *
   * @param capacity how many events to keep
   * @param startPosition the position before the first event
   */
  FirehoseHistory(int capacity, long startPosition) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity: " + capacity + " (expected: >= 1)");
    }
    if (startPosition < 0) {
      throw new IllegalArgumentException("startPosition: " + startPosition + " (expected: >= 0)");
    }
    this.ring = new PublishedEvent[capacity];
    this.lastPosition = startPosition;
  }

  /** The position of the latest event (the start position before any event). */
  long lastPosition() {
    return lastPosition;
  }

  /** The smallest position a watch can resume after: every later event is still held. */
  long oldestResumablePosition() {
    return lastPosition - size;
  }

  /** Gives {@code events} of {@code run} the next positions and keeps them, dropping the oldest. */
  List<PublishedEvent> append(Run run, List<RunEvent> events) {
    List<PublishedEvent> published = new ArrayList<>(events.size());
    for (RunEvent event : events) {
      PublishedEvent p = new PublishedEvent(++lastPosition, run, event);
      if (size < ring.length) {
        ring[(start + size) % ring.length] = p;
        size++;
      } else {
        ring[start] = p;
        start = (start + 1) % ring.length;
      }
      published.add(p);
    }
    return published;
  }

  /**
   * The events after {@code position}, oldest first.
   *
   * @throws MeshException {@code OUT_OF_RANGE} when they cannot be replayed: reason {@code
   *     POSITION_COMPACTED} when some are no longer held (or the position is from before the
   *     orchestrator's restart), {@code POSITION_UNKNOWN} when no event has it yet; either way the
   *     client re-reads the runs with ListRuns and watches again from the position it answers
   */
  List<PublishedEvent> after(long position) {
    if (position > lastPosition) {
      throw MeshException.of(
          ErrorCode.OUT_OF_RANGE,
          "POSITION_UNKNOWN",
          "after_position "
              + position
              + " is ahead of the latest position "
              + lastPosition
              + "; list the runs again and watch from the listing's position");
    }
    long oldest = oldestResumablePosition();
    if (position < oldest) {
      throw MeshException.of(
          ErrorCode.OUT_OF_RANGE,
          "POSITION_COMPACTED",
          "after_position "
              + position
              + " is no longer held (oldest kept: "
              + oldest
              + "); list the runs again and watch from the listing's position");
    }
    int skip = (int) (position - oldest);
    List<PublishedEvent> events = new ArrayList<>(size - skip);
    for (int i = skip; i < size; i++) {
      events.add(ring[(start + i) % ring.length]);
    }
    return events;
  }
}
