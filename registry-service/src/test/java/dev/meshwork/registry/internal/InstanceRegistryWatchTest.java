package dev.meshwork.registry.internal;

import static dev.meshwork.api.registry.v1.RemovalReason.REMOVAL_REASON_DEREGISTERED;
import static dev.meshwork.api.registry.v1.RemovalReason.REMOVAL_REASON_EXPIRED;
import static dev.meshwork.api.registry.v1.RemovalReason.REMOVAL_REASON_FILTERED_OUT;
import static dev.meshwork.api.registry.v1.RemovalReason.REMOVAL_REASON_UNSPECIFIED;
import static dev.meshwork.api.registry.v1.WatchEventType.WATCH_EVENT_TYPE_ADDED;
import static dev.meshwork.api.registry.v1.WatchEventType.WATCH_EVENT_TYPE_REMOVED;
import static dev.meshwork.api.registry.v1.WatchEventType.WATCH_EVENT_TYPE_SYNCED;
import static dev.meshwork.api.registry.v1.WatchEventType.WATCH_EVENT_TYPE_UPDATED;
import static dev.meshwork.registry.testing.Requests.card;
import static dev.meshwork.registry.testing.Requests.register;
import static dev.meshwork.registry.testing.Requests.renew;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.tuple;

import dev.meshwork.api.registry.v1.HealthState;
import dev.meshwork.api.registry.v1.InstanceFilter;
import dev.meshwork.core.ErrorCode;
import dev.meshwork.core.MeshException;
import dev.meshwork.core.MeshIdentity;
import dev.meshwork.registry.testing.MutableClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class InstanceRegistryWatchTest {

  private static final Optional<MeshIdentity> NO_IDENTITY = Optional.empty();
  private static final InstanceFilter ALL = InstanceFilter.getDefaultInstance();

  private final MutableClock clock = MutableClock.atEpochDay();
  private final InstanceRegistry registry =
      InstanceRegistry.builder()
          .clock(clock)
          .startRevision(0)
          .historySize(5)
          .watcherBufferSize(3)
          .build();

  @Test
  void watch_fromZero_sendsSnapshotThenSyncedThenLive() {
    registry.register(register("a", 1), NO_IDENTITY);
    registry.register(register("b", 2), NO_IDENTITY);
    WatchSubscription watch = registry.watch(ALL, 0, () -> {});

    registry.register(register("c", 3), NO_IDENTITY);

    assertThat(drain(watch))
        .extracting(WatchEvent::type, WatchEvent::revision, InstanceRegistryWatchTest::name)
        .containsExactly(
            tuple(WATCH_EVENT_TYPE_ADDED, 0L, "a"),
            tuple(WATCH_EVENT_TYPE_ADDED, 0L, "b"),
            tuple(WATCH_EVENT_TYPE_SYNCED, 2L, ""),
            tuple(WATCH_EVENT_TYPE_ADDED, 3L, "c"));
  }

  @Test
  void watch_liveEvents_signalListener() {
    AtomicInteger signals = new AtomicInteger();
    registry.watch(ALL, 0, signals::incrementAndGet);

    registry.register(register("a", 1), NO_IDENTITY);

    assertThat(signals).hasValue(1);
  }

  @Test
  void deregister_watcher_seesRemovedDeregistered() {
    String id = registry.register(register("a", 1), NO_IDENTITY).getInstanceId();
    WatchSubscription watch = registry.watch(ALL, 0, () -> {});

    registry.deregister(id, NO_IDENTITY);

    WatchEvent last = last(drain(watch));
    assertThat(last.type()).isEqualTo(WATCH_EVENT_TYPE_REMOVED);
    assertThat(last.removalReason()).isEqualTo(REMOVAL_REASON_DEREGISTERED);
    assertThat(last.instance().orElseThrow().getInstanceId()).isEqualTo(id);
  }

  @Test
  void expireLeases_watcher_seesRemovedExpired() {
    registry.register(register("a", 1), NO_IDENTITY);
    WatchSubscription watch = registry.watch(ALL, 0, () -> {});
    clock.advance(Duration.ofSeconds(10));

    registry.expireLeases();

    WatchEvent last = last(drain(watch));
    assertThat(last.type()).isEqualTo(WATCH_EVENT_TYPE_REMOVED);
    assertThat(last.removalReason()).isEqualTo(REMOVAL_REASON_EXPIRED);
  }

  @Test
  void renew_healthLeavesFilter_watcherSeesFilteredOutThenAddedBack() {
    String id = registry.register(register("a", 1), NO_IDENTITY).getInstanceId();
    InstanceFilter serving =
        InstanceFilter.newBuilder().setHealth(HealthState.HEALTH_STATE_SERVING).build();
    WatchSubscription watch = registry.watch(serving, 0, () -> {});

    registry.renew(renew(id, HealthState.HEALTH_STATE_NOT_SERVING), NO_IDENTITY);
    registry.renew(renew(id, HealthState.HEALTH_STATE_SERVING), NO_IDENTITY);

    assertThat(drain(watch))
        .extracting(WatchEvent::type, WatchEvent::removalReason)
        .containsExactly(
            tuple(WATCH_EVENT_TYPE_ADDED, REMOVAL_REASON_UNSPECIFIED),
            tuple(WATCH_EVENT_TYPE_SYNCED, REMOVAL_REASON_UNSPECIFIED),
            tuple(WATCH_EVENT_TYPE_REMOVED, REMOVAL_REASON_FILTERED_OUT),
            tuple(WATCH_EVENT_TYPE_ADDED, REMOVAL_REASON_UNSPECIFIED));
  }

  @Test
  void watch_filter_skipsNonMatchingInstances() {
    WatchSubscription watch =
        registry.watch(InstanceFilter.newBuilder().setSkillId("b.run").build(), 0, () -> {});

    registry.register(register("a", 1), NO_IDENTITY);
    registry.register(register("b", 2), NO_IDENTITY);

    assertThat(drain(watch)).extracting(InstanceRegistryWatchTest::name).containsExactly("", "b");
  }

  @Test
  void renew_pureHeartbeat_emitsNothing() {
    String id = registry.register(register("a", 1), NO_IDENTITY).getInstanceId();
    WatchSubscription watch = registry.watch(ALL, 0, () -> {});
    drain(watch);

    for (int i = 0; i < 10; i++) {
      registry.renew(renew(id, 1, 0.5 + i * 0.001), NO_IDENTITY);
    }

    // The first report (in-flight 0 -> 1) is published, the drift after it is not.
    assertThat(drain(watch)).extracting(WatchEvent::type).containsExactly(WATCH_EVENT_TYPE_UPDATED);
  }

  @Test
  void register_cardChanged_emitsUpdated() {
    registry.register(register("a", 1), NO_IDENTITY);
    WatchSubscription watch = registry.watch(ALL, 0, () -> {});
    drain(watch);

    registry.register(register(card("a", "a.run", "a.walk"), 1), NO_IDENTITY);

    WatchEvent event = last(drain(watch));
    assertThat(event.type()).isEqualTo(WATCH_EVENT_TYPE_UPDATED);
    assertThat(event.instance().orElseThrow().getCard().getSkillsCount()).isEqualTo(2);
  }

  @Test
  void watch_afterRevision_replaysLaterMatchingChangesThenSynced() {
    String a = registry.register(register("a", 1), NO_IDENTITY).getInstanceId();
    long seen = registry.currentRevision();
    registry.register(register("b", 2), NO_IDENTITY);
    registry.deregister(a, NO_IDENTITY);

    WatchSubscription watch = registry.watch(ALL, seen, () -> {});

    assertThat(drain(watch))
        .extracting(WatchEvent::type, WatchEvent::revision, InstanceRegistryWatchTest::name)
        .containsExactly(
            tuple(WATCH_EVENT_TYPE_ADDED, 2L, "b"),
            tuple(WATCH_EVENT_TYPE_REMOVED, 3L, "a"),
            tuple(WATCH_EVENT_TYPE_SYNCED, 3L, ""));
  }

  @Test
  void watch_atCurrentRevision_sendsOnlySynced() {
    registry.register(register("a", 1), NO_IDENTITY);

    WatchSubscription watch = registry.watch(ALL, registry.currentRevision(), () -> {});

    assertThat(drain(watch)).extracting(WatchEvent::type).containsExactly(WATCH_EVENT_TYPE_SYNCED);
  }

  @Test
  void watch_compactedRevision_isOutOfRangeWithClearMessage() {
    for (int port = 1; port <= 8; port++) {
      registry.register(register("a", port), NO_IDENTITY);
    }

    MeshException e = catchThrowableOfType(
        MeshException.class, () -> registry.watch(ALL, 2, () -> {}));

    assertThat(e.code()).isEqualTo(ErrorCode.OUT_OF_RANGE);
    assertThat(e.reason()).isEqualTo("REVISION_COMPACTED");
    assertThat(e.getMessage())
        .isEqualTo("revision 2 is compacted (oldest kept: 3); watch again from 0");
    assertThat(registry.watcherCount()).isZero();
  }

  @Test
  void watch_oldestKeptRevision_canResume() {
    for (int port = 1; port <= 8; port++) {
      registry.register(register("a", port), NO_IDENTITY);
    }

    WatchSubscription watch = registry.watch(ALL, 3, () -> {});

    assertThat(drain(watch)).hasSize(6);
  }

  @Test
  void watch_futureRevision_isOutOfRangeAndNegativeIsInvalid() {
    registry.register(register("a", 1), NO_IDENTITY);

    MeshException future = catchThrowableOfType(
        MeshException.class, () -> registry.watch(ALL, 99, () -> {}));
    MeshException negative = catchThrowableOfType(
        MeshException.class, () -> registry.watch(ALL, -1, () -> {}));

    assertThat(future.code()).isEqualTo(ErrorCode.OUT_OF_RANGE);
    assertThat(future.reason()).isEqualTo("REVISION_UNKNOWN");
    assertThat(future.getMessage())
        .isEqualTo("revision 99 is ahead of the current revision 1; watch again from 0");
    assertThat(negative.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
  }

  @Test
  void watch_revisionFromPreviousIncarnation_isCompacted() {
    InstanceRegistry before = InstanceRegistry.builder().clock(clock).build();
    before.register(register("a", 1), NO_IDENTITY);
    long seen = before.currentRevision();
    clock.advance(Duration.ofSeconds(5));

    InstanceRegistry restarted = InstanceRegistry.builder().clock(clock).build();
    MeshException e = catchThrowableOfType(
        MeshException.class, () -> restarted.watch(ALL, seen, () -> {}));

    assertThat(e.reason()).isEqualTo("REVISION_COMPACTED");
  }

  @Test
  void slowWatcher_bufferOverflows_isCutOffWithoutAffectingOthers() {
    AtomicInteger slowSignals = new AtomicInteger();
    WatchSubscription slow = registry.watch(ALL, 0, slowSignals::incrementAndGet);
    WatchSubscription fast = registry.watch(ALL, 0, () -> {});
    List<WatchEvent> fastEvents = new ArrayList<>(drain(fast));

    for (int port = 1; port <= 4; port++) {
      registry.register(register("a", port), NO_IDENTITY);
      fastEvents.addAll(drain(fast));
    }

    assertThat(slow.failure()).hasValueSatisfying(e -> {
      assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_EXHAUSTED);
      assertThat(e.reason()).isEqualTo("WATCHER_TOO_SLOW");
      assertThat(e.getMessage()).contains("after_revision set to the last revision you received");
      assertThat(e.retryAfter()).isPresent();
    });
    assertThat(slow.poll()).isEmpty();
    assertThat(slowSignals).hasValue(4);
    assertThat(registry.watcherCount()).isOne();
    assertThat(fastEvents).hasSize(5);
    assertThat(fast.failure()).isEmpty();
  }

  @Test
  void slowWatcher_largeSnapshot_isNotCountedAgainstBuffer() {
    for (int port = 1; port <= 10; port++) {
      registry.register(register("a", port), NO_IDENTITY);
    }

    WatchSubscription watch = registry.watch(ALL, 0, () -> {});
    registry.register(register("b", 1), NO_IDENTITY);

    assertThat(watch.failure()).isEmpty();
    assertThat(drain(watch)).hasSize(12);
  }

  @Test
  void close_watcher_stopsEventsAndDetaches() {
    WatchSubscription watch = registry.watch(ALL, 0, () -> {});

    watch.close();
    registry.register(register("a", 1), NO_IDENTITY);

    assertThat(registry.watcherCount()).isZero();
    assertThat(watch.poll()).isEmpty();
  }

  @Test
  void endWatches_liveWatchers_failUnavailableAndDetach() {
    AtomicInteger signals = new AtomicInteger();
    WatchSubscription watch = registry.watch(ALL, 0, signals::incrementAndGet);

    registry.endWatches();

    assertThat(watch.failure()).hasValueSatisfying(e -> {
      assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
      assertThat(e.reason()).isEqualTo("REGISTRY_SHUTTING_DOWN");
    });
    assertThat(watch.poll()).isEmpty();
    assertThat(signals).hasValue(1);
    assertThat(registry.watcherCount()).isZero();
  }

  private static List<WatchEvent> drain(WatchSubscription watch) {
    List<WatchEvent> events = new ArrayList<>();
    for (Optional<WatchEvent> e = watch.poll(); e.isPresent(); e = watch.poll()) {
      events.add(e.get());
    }
    return events;
  }

  private static WatchEvent last(List<WatchEvent> events) {
    return events.get(events.size() - 1);
  }

  private static String name(WatchEvent event) {
    return event.instance().map(i -> i.getCard().getName()).orElse("");
  }
}
