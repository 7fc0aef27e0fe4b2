package dev.meshwork.registry.internal;

import static java.util.Objects.requireNonNull;

import dev.meshwork.api.common.v1.AgentCard;
import dev.meshwork.api.common.v1.Endpoint;
import dev.meshwork.api.registry.v1.AgentInstance;
import dev.meshwork.api.registry.v1.HealthState;
import dev.meshwork.api.registry.v1.InstanceFilter;
import dev.meshwork.api.registry.v1.ListAgentInstancesRequest;
import dev.meshwork.api.registry.v1.Load;
import dev.meshwork.api.registry.v1.RegisterAgentRequest;
import dev.meshwork.api.registry.v1.RemovalReason;
import dev.meshwork.api.registry.v1.RenewLeaseRequest;
import dev.meshwork.core.ErrorCode;
import dev.meshwork.core.MeshException;
import dev.meshwork.core.MeshIdentity;
import dev.meshwork.core.Violations;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The registry's state: agent instances under leases, a revision counter, a bounded history of
 * changes and the watchers. In memory by design (soft state): after a restart agents get {@code
 * NOT_FOUND} on renewal and register again.
 *
 * <p>Semantics clients rely on:
 *
 * <ul>
 *   <li>Re-registering the same agent name and endpoint updates the existing instance; its id is
 *       derived from name and endpoint, so it survives re-registration and registry restarts.
 *   <li>A new instance starts {@code SERVING} (it registers once it serves); renewals report
 *       health changes. A lease with no {@code lease_ttl} lasts {@link #DEFAULT_LEASE_TTL}.
 *   <li>Every published change gets the next revision. Pure heartbeats are not published: a
 *       renewal emits UPDATED only when health changes or load changes significantly (see {@link
 *       LoadPolicy}); re-registration emits UPDATED only when card, endpoint, lease TTL, health or
 *       registering identity change.
 *   <li>A lease that has expired is gone even before the sweeper ({@link #expireLeases()}) runs:
 *       renewing it removes it (REMOVED, EXPIRED) and answers {@code NOT_FOUND}.
 *   <li>Watch from 0: a snapshot (ADDED events with revision 0, since a half-received snapshot
 *       cannot be resumed) then SYNCED at the current revision, then live events. Watch after a
 *       revision: the later changes from the history, then SYNCED.
 * </ul>
 *
 * <p>Thread-safe. Changes are serialized by one lock (they are short: a map update and a
 * non-blocking hand-off to each watcher's buffer); reads do not take it.
 */
public final class InstanceRegistry {

  /** The lease TTL when a registration does not ask for one. */
  public static final Duration DEFAULT_LEASE_TTL = Duration.ofSeconds(30);

  /** How many changes are kept for resuming watches, by default. */
  public static final int DEFAULT_HISTORY_SIZE = 10_000;

  /** How many live events a watcher may fall behind before it is cut off, by default. */
  public static final int DEFAULT_WATCHER_BUFFER_SIZE = 1024;

  /** Page size when a listing asks for none. */
  static final int DEFAULT_PAGE_SIZE = 100;

  /** Largest page; larger requests are served this many. */
  static final int MAX_PAGE_SIZE = 1000;

  private final InstantSource clock;
  private final int watcherBufferSize;
  private final ReentrantLock lock = new ReentrantLock();

  // Written only under the lock; read without it (weakly consistent iteration is fine for reads).
  private final ConcurrentSkipListMap<String, StoredInstance> instances =
      new ConcurrentSkipListMap<>();

  // Guarded by lock.
  private final Map<InstanceKey, String> idsByKey = new HashMap<>();
  private final EventHistory history;
  private final WatcherHub watchers = new WatcherHub();

  private InstanceRegistry(Builder builder) {
    this.clock = builder.clock;
    this.watcherBufferSize = builder.watcherBufferSize;
    long startRevision =
        builder.startRevision != null ? builder.startRevision : defaultStartRevision(clock);
    this.history = new EventHistory(builder.historySize, startRevision);
  }

  /** A builder with the defaults: system clock, history 10,000, watcher buffer 1,024. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Registers an instance, or updates the instance with the same agent name and endpoint.
   *
   * @param caller the authenticated caller; empty on an insecure server
   * @return the instance as stored
   * @throws MeshException {@code INVALID_ARGUMENT} for a malformed request, {@code
   *     PERMISSION_DENIED} when the caller is not {@code agent/<card.name>}
   */
  public AgentInstance register(RegisterAgentRequest request, Optional<MeshIdentity> caller) {
    requireNonNull(request, "request");
    requireNonNull(caller, "caller");
    RequestValidator.validateRegister(request);
    AgentCard card = request.getCard();
    RegistryAuthorizer.checkMayRegister(caller, card.getName());
    Duration ttl =
        request.hasLeaseTtl() ? ProtoTime.toJava(request.getLeaseTtl()) : DEFAULT_LEASE_TTL;
    String registeredBy = caller.map(MeshIdentity::spiffeId).orElse("");
    InstanceKey key = InstanceKey.of(card.getName(), request.getEndpoint());
    return mutate(() -> upsert(key, card, request.getEndpoint(), ttl, registeredBy));
  }

  /**
   * Extends an instance's lease and records its load and health.
   *
   * @return the instance after renewal (its lease expiry is the new one)
   * @throws MeshException {@code NOT_FOUND} when the instance is unknown or its lease has expired
   *     (the agent should register again), {@code PERMISSION_DENIED} when the caller is not the
   *     instance's agent, {@code INVALID_ARGUMENT} for a malformed request
   */
  public AgentInstance renew(RenewLeaseRequest request, Optional<MeshIdentity> caller) {
    requireNonNull(request, "request");
    requireNonNull(caller, "caller");
    RequestValidator.validateRenew(request);
    return mutate(() -> renewLocked(request, caller));
  }

  /**
   * Removes an instance at once; watchers see REMOVED with reason DEREGISTERED.
   *
   * @throws MeshException {@code NOT_FOUND}, {@code PERMISSION_DENIED}, {@code INVALID_ARGUMENT}
   */
  public void deregister(String instanceId, Optional<MeshIdentity> caller) {
    requireNonNull(instanceId, "instanceId");
    requireNonNull(caller, "caller");
    RequestValidator.validateInstanceId(instanceId);
    mutate(
        () -> {
          StoredInstance stored = requireInstance(instanceId);
          RegistryAuthorizer.checkMayModify(caller, stored, "deregister");
          remove(stored, RemovalReason.REMOVAL_REASON_DEREGISTERED);
          return null;
        });
  }

  /**
   * One instance.
   *
   * @throws MeshException {@code NOT_FOUND}, {@code INVALID_ARGUMENT} for an empty id
   */
  public AgentInstance get(String instanceId) {
    requireNonNull(instanceId, "instanceId");
    RequestValidator.validateInstanceId(instanceId);
    return requireInstance(instanceId).instance();
  }

  /**
   * A page of the instances matching the request's filter, ordered by instance id. Page size 0
   * means {@value #DEFAULT_PAGE_SIZE}; sizes above {@value #MAX_PAGE_SIZE} are served {@value
   * #MAX_PAGE_SIZE}.
   *
   * @throws MeshException {@code INVALID_ARGUMENT} for a negative page size, a page token that is
   *     not from a previous response with the same filter, or an unknown health value
   */
  public InstancePage list(ListAgentInstancesRequest request) {
    requireNonNull(request, "request");
    InstanceMatcher matcher = InstanceMatcher.of(request.getFilter());
    Violations violations = new Violations();
    violations.check(
        request.getPageSize() >= 0,
        "page_size",
        request.getPageSize() + " (expected: 0..1000, 0 means " + DEFAULT_PAGE_SIZE + ")");
    violations.throwIfAny();
    int pageSize = request.getPageSize() == 0
        ? DEFAULT_PAGE_SIZE
        : Math.min(request.getPageSize(), MAX_PAGE_SIZE);
    NavigableMap<String, StoredInstance> remaining = instances;
    if (!request.getPageToken().isEmpty()) {
      PageToken token = PageToken.decode(request.getPageToken(), matcher.fingerprint());
      remaining = instances.tailMap(token.lastInstanceId(), false);
    }
    List<AgentInstance> page = new ArrayList<>(Math.min(pageSize, instances.size()));
    for (StoredInstance stored : remaining.values()) {
      if (!matcher.matches(stored.instance())) {
        continue;
      }
      if (page.size() == pageSize) {
        String last = page.get(page.size() - 1).getInstanceId();
        return new InstancePage(page, new PageToken(matcher.fingerprint(), last).encode());
      }
      page.add(stored.instance());
    }
    return new InstancePage(page, "");
  }

  /**
   * Starts watching the instances matching {@code filter}.
   *
   * @param afterRevision 0 for a snapshot first; otherwise the last revision the client has seen
   * @param listener called (on the registry's calling thread, so it must not block) whenever
   *     events are buffered or the watch is cut off
   * @throws MeshException {@code OUT_OF_RANGE} (reason {@code REVISION_COMPACTED}) when the
   *     history no longer holds the changes after {@code afterRevision}; {@code INVALID_ARGUMENT}
   *     when it is negative or in the future, or the filter is malformed
   */
  public WatchSubscription watch(InstanceFilter filter, long afterRevision, Runnable listener) {
    requireNonNull(filter, "filter");
    requireNonNull(listener, "listener");
    InstanceMatcher matcher = InstanceMatcher.of(filter);
    RequestValidator.validateAfterRevision(afterRevision);
    return mutate(
        () -> {
          List<WatchEvent> initial =
              afterRevision == 0 ? snapshot(matcher) : replay(matcher, afterRevision);
          initial.add(WatchEvent.synced(history.lastRevision()));
          Watcher watcher =
              new Watcher(matcher, initial, watcherBufferSize, listener, this::unsubscribe);
          watchers.add(watcher);
          return watcher;
        });
  }

  /**
   * Removes every instance whose lease has expired; watchers see REMOVED with reason EXPIRED.
   * Called periodically by a {@link LeaseSweeper}, and by tests after moving their clock.
   *
   * @return how many instances expired
   */
  public int expireLeases() {
    Instant now = clock.instant();
    List<String> due = new ArrayList<>();
    for (StoredInstance stored : instances.values()) {
      if (stored.isExpiredAt(now)) {
        due.add(stored.id());
      }
    }
    if (due.isEmpty()) {
      return 0;
    }
    return mutate(
        () -> {
          int expired = 0;
          for (String id : due) {
            // Re-check under the lock: the instance may have been renewed in between.
            StoredInstance stored = instances.get(id);
            if (stored != null && stored.isExpiredAt(now)) {
              remove(stored, RemovalReason.REMOVAL_REASON_EXPIRED);
              expired++;
            }
          }
          return expired;
        });
  }

  /**
   * Ends every watch with {@code UNAVAILABLE} (reason {@code REGISTRY_SHUTTING_DOWN}), so that
   * long-lived streams do not hold up a graceful shutdown; clients watch again (elsewhere, or after
   * the restart). Watches started afterwards are not affected.
   */
  public void endWatches() {
    mutate(
        () -> {
          MeshException reason =
              MeshException.of(
                  ErrorCode.UNAVAILABLE,
                  "REGISTRY_SHUTTING_DOWN",
                  "the registry is shutting down; watch again from your last revision (or from 0"
                      + " if that fails)");
          watchers.endAll(reason);
          return null;
        });
  }

  /** The revision of the latest change. */
  public long currentRevision() {
    lock.lock();
    try {
      return history.lastRevision();
    } finally {
      lock.unlock();
    }
  }

  /**
   * The instances whose lease has not expired, ordered by instance id: a weakly consistent view
   * for metrics, taken without the lock. Leases that expired since the last sweep are left out,
   * as a renewal would find them gone.
   */
  public List<AgentInstance> liveInstances() {
    Instant now = clock.instant();
    List<AgentInstance> live = new ArrayList<>(instances.size());
    for (StoredInstance stored : instances.values()) {
      if (!stored.isExpiredAt(now)) {
        live.add(stored.instance());
      }
    }
    return live;
  }

  /** How many instances are registered. */
  public int size() {
    return instances.size();
  }

  /** How many watchers are attached. */
  public int watcherCount() {
    lock.lock();
    try {
      return watchers.size();
    } finally {
      lock.unlock();
    }
  }

  // --- changes (all under the lock) ---

  private AgentInstance upsert(
      InstanceKey key, AgentCard card, Endpoint endpoint, Duration ttl, String registeredBy) {
    Instant now = clock.instant();
    StoredInstance existing = findLive(key, now);
    Instant expireTime = now.plus(ttl);
    if (existing == null) {
      long revision = history.nextRevision();
      AgentInstance instance =
          AgentInstance.newBuilder()
              .setInstanceId(newId(key))
              .setCard(card)
              .setEndpoint(endpoint)
              .setHealth(HealthState.HEALTH_STATE_SERVING)
              .setLoad(Load.getDefaultInstance())
              .setLeaseTtl(ProtoTime.toProto(ttl))
              .setLeaseExpireTime(ProtoTime.toTimestamp(expireTime))
              .setRegisterTime(ProtoTime.toTimestamp(now))
              .setRegisteredBy(registeredBy)
              .setRevision(revision)
              .build();
      store(new StoredInstance(instance, key, ttl, expireTime, instance.getLoad()));
      publish(Change.added(revision, instance));
      return instance;
    }
    AgentInstance previous = existing.instance();
    AgentInstance.Builder updated =
        previous.toBuilder()
            .setCard(card)
            .setEndpoint(endpoint)
            .setHealth(HealthState.HEALTH_STATE_SERVING)
            .setLeaseTtl(ProtoTime.toProto(ttl))
            .setLeaseExpireTime(ProtoTime.toTimestamp(expireTime))
            .setRegisteredBy(registeredBy);
    boolean changed =
        !previous.getCard().equals(card)
            || !previous.getEndpoint().equals(endpoint)
            || previous.getHealth() != HealthState.HEALTH_STATE_SERVING
            || !existing.leaseTtl().equals(ttl)
            || !previous.getRegisteredBy().equals(registeredBy);
    if (changed) {
      updated.setRevision(history.nextRevision());
    }
    AgentInstance instance = updated.build();
    store(new StoredInstance(instance, key, ttl, expireTime, existing.publishedLoad()));
    if (changed) {
      publish(Change.updated(instance.getRevision(), previous, instance));
    }
    return instance;
  }

  private AgentInstance renewLocked(RenewLeaseRequest request, Optional<MeshIdentity> caller) {
    StoredInstance stored = requireInstance(request.getInstanceId());
    RegistryAuthorizer.checkMayModify(caller, stored, "renew");
    Instant now = clock.instant();
    if (stored.isExpiredAt(now)) {
      remove(stored, RemovalReason.REMOVAL_REASON_EXPIRED);
      throw unknownLease(stored.id());
    }
    AgentInstance previous = stored.instance();
    HealthState health =
        request.getHealth() == HealthState.HEALTH_STATE_UNSPECIFIED
            ? previous.getHealth()
            : request.getHealth();
    Load load = request.hasLoad() ? request.getLoad() : previous.getLoad();
    boolean publishLoad = LoadPolicy.isSignificant(stored.publishedLoad(), load);
    boolean changed = health != previous.getHealth() || publishLoad;
    Instant expireTime = now.plus(stored.leaseTtl());
    AgentInstance.Builder renewed =
        previous.toBuilder()
            .setHealth(health)
            .setLoad(load)
            .setLeaseExpireTime(ProtoTime.toTimestamp(expireTime));
    if (changed) {
      renewed.setRevision(history.nextRevision());
    }
    AgentInstance instance = renewed.build();
    Load publishedLoad = changed ? load : stored.publishedLoad();
    store(new StoredInstance(instance, stored.key(), stored.leaseTtl(), expireTime, publishedLoad));
    if (changed) {
      publish(Change.updated(instance.getRevision(), previous, instance));
    }
    return instance;
  }

  /** The instance registered under {@code key}, expiring it first if its lease has run out. */
  private StoredInstance findLive(InstanceKey key, Instant now) {
    String id = idsByKey.get(key);
    StoredInstance existing = id == null ? null : instances.get(id);
    if (existing == null || !existing.isExpiredAt(now)) {
      return existing;
    }
    remove(existing, RemovalReason.REMOVAL_REASON_EXPIRED);
    return null;
  }

  private String newId(InstanceKey key) {
    for (int attempt = 0; ; attempt++) {
      String id = InstanceIds.idFor(key, attempt);
      if (!instances.containsKey(id)) {
        return id;
      }
    }
  }

  private void store(StoredInstance stored) {
    instances.put(stored.id(), stored);
    idsByKey.put(stored.key(), stored.id());
  }

  private void remove(StoredInstance stored, RemovalReason reason) {
    instances.remove(stored.id());
    idsByKey.remove(stored.key());
    publish(Change.removed(history.nextRevision(), stored.instance(), reason));
  }

  /** Records a change and hands it to every interested watcher without blocking. */
  private void publish(Change change) {
    history.append(change);
    watchers.publish(change);
  }

  private List<WatchEvent> snapshot(InstanceMatcher matcher) {
    List<WatchEvent> events = new ArrayList<>();
    for (StoredInstance stored : instances.values()) {
      if (matcher.matches(stored.instance())) {
        events.add(WatchEvent.added(stored.instance(), 0));
      }
    }
    return events;
  }

  private List<WatchEvent> replay(InstanceMatcher matcher, long afterRevision) {
    List<WatchEvent> events = new ArrayList<>();
    for (Change change : history.changesAfter(afterRevision)) {
      WatchEvent event = change.eventFor(matcher);
      if (event != null) {
        events.add(event);
      }
    }
    return events;
  }

  private void unsubscribe(Watcher watcher) {
    lock.lock();
    try {
      watchers.remove(watcher);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Runs a change under the lock, then signals the watchers it buffered events for, outside the
   * lock. Signals are sent even when the change fails after publishing (an expired lease found by
   * a renewal).
   */
  private <T> T mutate(Supplier<T> change) {
    List<Watcher> toSignal;
    lock.lock();
    try {
      return change.get();
    } finally {
      toSignal = watchers.takePendingSignals();
      lock.unlock();
      for (Watcher watcher : toSignal) {
        watcher.signal();
      }
    }
  }

  private StoredInstance requireInstance(String instanceId) {
    StoredInstance stored = instances.get(instanceId);
    if (stored == null) {
      throw MeshException.notFound("agent instance", instanceId);
    }
    return stored;
  }

  private static MeshException unknownLease(String instanceId) {
    return MeshException.of(
        ErrorCode.NOT_FOUND,
        "AGENT_INSTANCE_NOT_FOUND",
        "agent instance '" + instanceId + "' not found (its lease expired): register again");
  }

  /**
   * Revisions start at the wall clock in microseconds, so a restarted registry's revisions are
   * above any its previous incarnation handed out: a client resuming across a restart gets
   * REVISION_COMPACTED and re-snapshots, instead of a replay of unrelated changes.
   */
  private static long defaultStartRevision(InstantSource clock) {
    return Math.max(0, clock.millis()) * 1000;
  }

  /** Builds an {@link InstanceRegistry}; every setting has a default. */
  public static final class Builder {

    private InstantSource clock = InstantSource.system();
    private int historySize = DEFAULT_HISTORY_SIZE;
    private int watcherBufferSize = DEFAULT_WATCHER_BUFFER_SIZE;
    private Long startRevision;

    private Builder() {}

    /** The clock leases run on. */
    public Builder clock(InstantSource clock) {
      this.clock = requireNonNull(clock, "clock");
      return this;
    }

    /** How many changes to keep for resuming watches; at least 1. */
    public Builder historySize(int historySize) {
      if (historySize < 1) {
        throw new IllegalArgumentException("historySize: " + historySize + " (expected: >= 1)");
      }
      this.historySize = historySize;
      return this;
    }

    /** How many live events a watcher may fall behind before it is cut off; at least 1. */
    public Builder watcherBufferSize(int watcherBufferSize) {
      if (watcherBufferSize < 1) {
        throw new IllegalArgumentException(
            "watcherBufferSize: " + watcherBufferSize + " (expected: >= 1)");
      }
      this.watcherBufferSize = watcherBufferSize;
      return this;
    }

    /**
     * The revision before the first change. Defaults to the clock in microseconds (see the class
     * notes); tests set small values for readable revisions.
     */
    public Builder startRevision(long startRevision) {
      if (startRevision < 0) {
        throw new IllegalArgumentException(
            "startRevision: " + startRevision + " (expected: >= 0)");
      }
      this.startRevision = startRevision;
      return this;
    }

    /** The registry. */
    public InstanceRegistry build() {
      return new InstanceRegistry(this);
    }
  }
}
