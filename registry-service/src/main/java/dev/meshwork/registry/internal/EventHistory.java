package dev.meshwork.registry.internal;

import dev.meshwork.core.ErrorCode;
import dev.meshwork.core.MeshException;
import java.util.ArrayList;
import java.util.List;

/**
 * The last N changes, for watchers resuming from a revision. Revisions are consecutive (every
 * revision is one change), so the ring holds revisions {@code lastRevision - size + 1 ..
 * lastRevision} and finding a revision is arithmetic. Not thread-safe: the registry guards it.
 */
final class EventHistory {

  private final Change[] ring;
  private int start;
  private int size;
  private long lastRevision;

  /**
   * An empty history.
   *
   * @param capacity how many changes to keep
   * @param startRevision the revision before the first change
   */
  EventHistory(int capacity, long startRevision) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity: " + capacity + " (expected: >= 1)");
    }
    if (startRevision < 0) {
      throw new IllegalArgumentException("startRevision: " + startRevision + " (expected: >= 0)");
    }
    this.ring = new Change[capacity];
    this.lastRevision = startRevision;
  }

  /** The revision of the latest change (the start revision before any change). */
  long lastRevision() {
    return lastRevision;
  }

  /** The smallest revision a watch can resume after: every later change is still held. */
  long oldestResumableRevision() {
    return lastRevision - size;
  }

  /** The revision the next change must carry. */
  long nextRevision() {
    return lastRevision + 1;
  }

  /** Appends the next change, dropping the oldest when full. */
  void append(Change change) {
    if (change.revision() != nextRevision()) {
      throw new IllegalArgumentException(
          "revision: " + change.revision() + " (expected: " + nextRevision() + ")");
    }
    if (size < ring.length) {
      ring[(start + size) % ring.length] = change;
      size++;
    } else {
      ring[start] = change;
      start = (start + 1) % ring.length;
    }
    lastRevision = change.revision();
  }

  /**
   * The changes after {@code revision}, oldest first.
   *
   * @throws MeshException {@code OUT_OF_RANGE} when they cannot be replayed: reason {@code
   *     REVISION_COMPACTED} when some are no longer held, {@code REVISION_UNKNOWN} when {@code
   *     revision} is in the future (a revision of another registry); either way the client
   *     watches again from 0, so resolvers need one recovery path
   */
  List<Change> changesAfter(long revision) {
    if (revision > lastRevision) {
      throw MeshException.of(
          ErrorCode.OUT_OF_RANGE,
          "REVISION_UNKNOWN",
          "revision " + revision + " is ahead of the current revision " + lastRevision
              + "; watch again from 0");
    }
    long oldest = oldestResumableRevision();
    if (revision < oldest) {
      throw MeshException.of(
          ErrorCode.OUT_OF_RANGE,
          "REVISION_COMPACTED",
          "revision "
              + revision
              + " is compacted (oldest kept: "
              + oldest
              + "); watch again from 0");
    }
    int skip = (int) (revision - oldest);
    List<Change> changes = new ArrayList<>(size - skip);
    for (int i = skip; i < size; i++) {
      changes.add(ring[(start + i) % ring.length]);
    }
    return changes;
  }
}
