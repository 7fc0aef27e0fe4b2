package dev.meshwork.core.internal;

import dev.meshwork.api.common.v1.Endpoint;
import dev.meshwork.api.registry.v1.AgentInstance;
import dev.meshwork.api.registry.v1.HealthState;
import dev.meshwork.api.registry.v1.WatchAgentInstancesResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;

/**
 * The instances a registry watch has told about, rebuilt from its events across reconnects.
 *
 * <p>A watch stream starts either with a snapshot ({@code after_revision = 0}) or with the changes
 * since the last revision seen; either way a SYNCED marker ends that phase. Until then events go to
 * a pending copy, so that a half-received snapshot never replaces what is known: while the registry
 * is unreachable the last complete view stays in use.
 *
 * <p>A registry keeps its instances in memory, so after a restart its first snapshot may miss
 * agents that are alive and about to register again (they do within a third of their lease).
 * Instances that vanish in a re-snapshot therefore stay usable as <em>stale</em> for one lease TTL
 * unless they come back sooner; a dead one among them costs only failed connection attempts, which
 * the load balancer routes around.
 *
 * <p>Not thread-safe: the name resolver confines it to its synchronization context. Times are
 * {@link System#nanoTime()} values passed in, so that tests control the clock.
 */
public final class WatchedInstances {

  /** How long a vanished instance stays when its lease TTL is unknown. */
  static final Duration DEFAULT_STALE_GRACE = Duration.ofSeconds(30);

  private static final Comparator<Endpoint> ENDPOINT_ORDER =
      Comparator.comparing(Endpoint::getHost).thenComparingInt(Endpoint::getPort);

  private Map<String, AgentInstance> current = new TreeMap<>();
  private Map<String, AgentInstance> pending;
  private boolean snapshotStream;
  private final Map<Endpoint, Long> staleUntil = new LinkedHashMap<>();
  private long revision;
  private boolean everSynced;

  /** Starts a new stream: a snapshot after {@link #forgetRevision()}, else a replay. */
  public void streamStarted() {
    snapshotStream = revision == 0;
    pending = snapshotStream ? new TreeMap<>() : new TreeMap<>(current);
  }

  /** The revision to resume from; 0 asks for a snapshot. */
  public long revision() {
    return revision;
  }

  /** Drops the resume point (the registry compacted its history): the next stream re-snapshots. */
  public void forgetRevision() {
    revision = 0;
  }

  /** True once a stream reached SYNCED, that is, once there is a complete view. */
  public boolean everSynced() {
    return everSynced;
  }

  /**
   * Applies one event of the current stream, at time {@code nowNanos}.
   *
   * @return true when the complete view changed (the stream synced, or a live event arrived)
   */
  public boolean apply(WatchAgentInstancesResponse event, long nowNanos) {
    revision = Math.max(revision, event.getRevision());
    Map<String, AgentInstance> target = pending != null ? pending : current;
    switch (event.getType()) {
      case WATCH_EVENT_TYPE_ADDED, WATCH_EVENT_TYPE_UPDATED -> {
        AgentInstance instance = event.getInstance();
        target.put(instance.getInstanceId(), instance);
        revision = Math.max(revision, instance.getRevision());
      }
      case WATCH_EVENT_TYPE_REMOVED -> target.remove(event.getInstance().getInstanceId());
      case WATCH_EVENT_TYPE_SYNCED -> {
        if (pending != null) {
          if (snapshotStream && everSynced) {
            keepVanished(pending, nowNanos);
          }
          current = pending;
          pending = null;
        }
        everSynced = true;
        dropStaleKnownAgain();
        return true;
      }
      default -> {
        // An event type newer than this client: ignoring it keeps the last good view.
        return false;
      }
    }
    if (pending != null) {
      return false;
    }
    dropStaleKnownAgain();
    return true;
  }

  /**
   * Forgets stale instances whose grace ended by {@code nowNanos}.
   *
   * @return true when any was forgotten
   */
  public boolean expireStale(long nowNanos) {
    return staleUntil.values().removeIf(until -> until - nowNanos <= 0);
  }

  /** When the next stale instance expires, if any is kept. */
  public OptionalLong nextStaleExpiry() {
    return staleUntil.values().stream().mapToLong(Long::longValue).min();
  }

  /**
   * The endpoints ready for calls (stale ones included), without duplicates, sorted by host and
   * port: the order must not depend on how the view was rebuilt, or a re-registration would look
   * like a change and churn the channel's load balancer. Instances reported NOT_SERVING or
   * DRAINING are left out; an unreported health counts as serving.
   */
  public List<Endpoint> servingEndpoints() {
    Set<Endpoint> endpoints = new HashSet<>(staleUntil.keySet());
    for (AgentInstance instance : current.values()) {
      if (isServing(instance)) {
        endpoints.add(instance.getEndpoint());
      }
    }
    List<Endpoint> sorted = new ArrayList<>(endpoints);
    sorted.sort(ENDPOINT_ORDER);
    return sorted;
  }

  /** How many instances the complete view holds, serving or not. */
  public int size() {
    return current.size();
  }

  private void keepVanished(Map<String, AgentInstance> snapshot, long nowNanos) {
    Set<Endpoint> present = new HashSet<>();
    snapshot.values().forEach(i -> present.add(i.getEndpoint()));
    for (AgentInstance old : current.values()) {
      if (isServing(old) && !present.contains(old.getEndpoint())) {
        Duration grace =
            old.hasLeaseTtl() && old.getLeaseTtl().getSeconds() > 0
                ? Duration.ofSeconds(old.getLeaseTtl().getSeconds(), old.getLeaseTtl().getNanos())
                : DEFAULT_STALE_GRACE;
        staleUntil.put(old.getEndpoint(), nowNanos + grace.toNanos());
      }
    }
  }

  private void dropStaleKnownAgain() {
    if (staleUntil.isEmpty()) {
      return;
    }
    for (AgentInstance instance : current.values()) {
      staleUntil.remove(instance.getEndpoint());
    }
  }

  private static boolean isServing(AgentInstance instance) {
    HealthState health = instance.getHealth();
    return instance.hasEndpoint()
        && (health == HealthState.HEALTH_STATE_SERVING
            || health == HealthState.HEALTH_STATE_UNSPECIFIED);
  }
}
