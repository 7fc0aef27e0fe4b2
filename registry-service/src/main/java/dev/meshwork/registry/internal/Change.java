package dev.meshwork.registry.internal;

import static java.util.Objects.requireNonNull;

import dev.meshwork.api.registry.v1.AgentInstance;
import dev.meshwork.api.registry.v1.RemovalReason;
import dev.meshwork.api.registry.v1.WatchEventType;

/**
 * One change of the registry, as kept in the history: every revision has exactly one. It holds the
 * instance before and after, so each watcher can work out what the change means for its filter.
 *
 * @param revision the registry revision the change made
 * @param type ADDED, UPDATED or REMOVED
 * @param previous the instance before the change; null for ADDED
 * @param current the instance after the change; for REMOVED, its last state
 * @param removalReason why, for REMOVED
 */
record Change(
    long revision,
    WatchEventType type,
    AgentInstance previous,
    AgentInstance current,
    RemovalReason removalReason) {

  Change {
    requireNonNull(type, "type");
    requireNonNull(current, "current");
    requireNonNull(removalReason, "removalReason");
  }

  static Change added(long revision, AgentInstance instance) {
    return new Change(
        revision,
        WatchEventType.WATCH_EVENT_TYPE_ADDED,
        null,
        instance,
        RemovalReason.REMOVAL_REASON_UNSPECIFIED);
  }

  static Change updated(long revision, AgentInstance previous, AgentInstance current) {
    return new Change(
        revision,
        WatchEventType.WATCH_EVENT_TYPE_UPDATED,
        requireNonNull(previous, "previous"),
        current,
        RemovalReason.REMOVAL_REASON_UNSPECIFIED);
  }

  static Change removed(long revision, AgentInstance instance, RemovalReason reason) {
    return new Change(
        revision, WatchEventType.WATCH_EVENT_TYPE_REMOVED, instance, instance, reason);
  }

  /**
   * What a watcher with {@code matcher} sees of this change, or null when nothing: an instance
   * that starts matching is ADDED for it, one that stops matching is REMOVED with reason
   * FILTERED_OUT.
   */
  WatchEvent eventFor(InstanceMatcher matcher) {
    boolean matchedBefore = previous != null && matcher.matches(previous);
    boolean matchesNow =
        type != WatchEventType.WATCH_EVENT_TYPE_REMOVED && matcher.matches(current);
    if (matchesNow) {
      return matchedBefore
          ? WatchEvent.updated(current, revision)
          : WatchEvent.added(current, revision);
    }
    if (!matchedBefore) {
      return null;
    }
    RemovalReason reason =
        type == WatchEventType.WATCH_EVENT_TYPE_REMOVED
            ? removalReason
            : RemovalReason.REMOVAL_REASON_FILTERED_OUT;
    return WatchEvent.removed(current, revision, reason);
  }
}
