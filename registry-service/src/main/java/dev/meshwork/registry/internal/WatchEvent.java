package dev.meshwork.registry.internal;

import static java.util.Objects.requireNonNull;

import dev.meshwork.api.registry.v1.AgentInstance;
import dev.meshwork.api.registry.v1.RemovalReason;
import dev.meshwork.api.registry.v1.WatchEventType;
import java.util.Optional;

/**
 * One event as a watcher sees it (after its filter is applied).
 *
 * @param type what happened
 * @param instance the instance after the change (its last state, for REMOVED); empty for SYNCED
 * @param revision the registry revision to resume after; 0 for snapshot events, since a snapshot
 *     cannot be resumed midway (resuming from 0 takes a new one)
 * @param removalReason why, for REMOVED; {@code REMOVAL_REASON_UNSPECIFIED} otherwise
 */
public record WatchEvent(
    WatchEventType type,
    Optional<AgentInstance> instance,
    long revision,
    RemovalReason removalReason) {

  /** Validates the parts. */
  public WatchEvent {
    requireNonNull(type, "type");
    requireNonNull(instance, "instance");
    requireNonNull(removalReason, "removalReason");
  }

  static WatchEvent added(AgentInstance instance, long revision) {
    return new WatchEvent(
        WatchEventType.WATCH_EVENT_TYPE_ADDED,
        Optional.of(instance),
        revision,
        RemovalReason.REMOVAL_REASON_UNSPECIFIED);
  }

  static WatchEvent updated(AgentInstance instance, long revision) {
    return new WatchEvent(
        WatchEventType.WATCH_EVENT_TYPE_UPDATED,
        Optional.of(instance),
        revision,
        RemovalReason.REMOVAL_REASON_UNSPECIFIED);
  }

  static WatchEvent removed(AgentInstance instance, long revision, RemovalReason reason) {
    return new WatchEvent(
        WatchEventType.WATCH_EVENT_TYPE_REMOVED, Optional.of(instance), revision, reason);
  }

  static WatchEvent synced(long revision) {
    return new WatchEvent(
        WatchEventType.WATCH_EVENT_TYPE_SYNCED,
        Optional.empty(),
        revision,
        RemovalReason.REMOVAL_REASON_UNSPECIFIED);
  }
}
