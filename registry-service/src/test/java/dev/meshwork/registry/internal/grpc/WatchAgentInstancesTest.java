package dev.meshwork.registry.internal.grpc;

import static dev.meshwork.api.registry.v1.RemovalReason.REMOVAL_REASON_DEREGISTERED;
import static dev.meshwork.api.registry.v1.RemovalReason.REMOVAL_REASON_EXPIRED;
import static dev.meshwork.api.registry.v1.RemovalReason.REMOVAL_REASON_FILTERED_OUT;
import static dev.meshwork.api.registry.v1.WatchEventType.WATCH_EVENT_TYPE_ADDED;
import static dev.meshwork.api.registry.v1.WatchEventType.WATCH_EVENT_TYPE_REMOVED;
import static dev.meshwork.api.registry.v1.WatchEventType.WATCH_EVENT_TYPE_SYNCED;
import static dev.meshwork.api.registry.v1.WatchEventType.WATCH_EVENT_TYPE_UPDATED;
import static dev.meshwork.registry.testing.Requests.register;
import static dev.meshwork.registry.testing.Requests.renew;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meshwork.api.registry.v1.DeregisterAgentRequest;
import dev.meshwork.api.registry.v1.HealthState;
import dev.meshwork.api.registry.v1.InstanceFilter;
import dev.meshwork.api.registry.v1.WatchAgentInstancesRequest;
import dev.meshwork.api.registry.v1.WatchAgentInstancesResponse;
import dev.meshwork.api.registry.v1.WatchEventType;
import dev.meshwork.core.GrpcErrors;
import dev.meshwork.core.MeshException;
import dev.meshwork.registry.internal.InstanceRegistry;
import dev.meshwork.registry.testing.MutableClock;
import dev.meshwork.registry.testing.RecordingObserver;
import io.grpc.Status;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WatchAgentInstancesTest {

  private static final int WATCHER_BUFFER = 8;

  private final MutableClock clock = MutableClock.atEpochDay();
  private final InProcessRegistry mesh =
      new InProcessRegistry(
          InstanceRegistry.builder()
              .clock(clock)
              .startRevision(0)
              .historySize(20)
              .watcherBufferSize(WATCHER_BUFFER)
              .build());

  @AfterEach
  void tearDown() {
    mesh.close();
  }

  @Test
  void watch_fromZero_streamsSnapshotSyncedThenLiveEvents() {
    registerEcho(1);
    RecordingObserver<WatchAgentInstancesRequest, WatchAgentInstancesResponse> watch = watch(0);
    awaitTypes(watch, WATCH_EVENT_TYPE_ADDED, WATCH_EVENT_TYPE_SYNCED);

    registerEcho(2);

    awaitTypes(watch, WATCH_EVENT_TYPE_ADDED, WATCH_EVENT_TYPE_SYNCED, WATCH_EVENT_TYPE_ADDED);
    List<WatchAgentInstancesResponse> events = watch.values();
    assertThat(events.get(0).getRevision()).isZero();
    assertThat(events.get(1).getRevision()).isEqualTo(1);
    assertThat(events.get(1).hasInstance()).isFalse();
    assertThat(events.get(2).getRevision()).isEqualTo(2);
    assertThat(events.get(2).getInstance().getEndpoint().getPort()).isEqualTo(2);
  }

  @Test
  void watch_leaseExpires_streamsRemovedExpired() {
    registerEcho(1);
    RecordingObserver<WatchAgentInstancesRequest, WatchAgentInstancesResponse> watch = watch(0);
    awaitTypes(watch, WATCH_EVENT_TYPE_ADDED, WATCH_EVENT_TYPE_SYNCED);
    clock.advance(Duration.ofSeconds(10));

    mesh.registry().expireLeases();

    awaitTypes(watch, WATCH_EVENT_TYPE_ADDED, WATCH_EVENT_TYPE_SYNCED, WATCH_EVENT_TYPE_REMOVED);
    assertThat(last(watch).getRemovalReason()).isEqualTo(REMOVAL_REASON_EXPIRED);
  }

  @Test
  void watch_deregistration_streamsRemovedDeregistered() {
    String id = registerEcho(1);
    RecordingObserver<WatchAgentInstancesRequest, WatchAgentInstancesResponse> watch = watch(0);
    awaitTypes(watch, WATCH_EVENT_TYPE_ADDED, WATCH_EVENT_TYPE_SYNCED);

    mesh.blocking("agent/echo")
        .deregisterAgent(DeregisterAgentRequest.newBuilder().setInstanceId(id).build());

    awaitTypes(watch, WATCH_EVENT_TYPE_ADDED, WATCH_EVENT_TYPE_SYNCED, WATCH_EVENT_TYPE_REMOVED);
    assertThat(last(watch).getRemovalReason()).isEqualTo(REMOVAL_REASON_DEREGISTERED);
    assertThat(last(watch).getInstance().getInstanceId()).isEqualTo(id);
  }

  @Test
  void watch_healthFilter_streamsFilteredOutAndUpdates() {
    String id = registerEcho(1);
    RecordingObserver<WatchAgentInstancesRequest, WatchAgentInstancesResponse> watch =
        RecordingObserver.eager();
    mesh.async("client/meshctl").watchAgentInstances(
        WatchAgentInstancesRequest.newBuilder()
            .setFilter(InstanceFilter.newBuilder().setHealth(HealthState.HEALTH_STATE_SERVING))
            .build(),
        watch);
    awaitTypes(watch, WATCH_EVENT_TYPE_ADDED, WATCH_EVENT_TYPE_SYNCED);

    mesh.blocking("agent/echo").renewLease(renew(id, 5, 0.9));
    mesh.blocking("agent/echo").renewLease(renew(id, HealthState.HEALTH_STATE_DRAINING));

    awaitTypes(watch, WATCH_EVENT_TYPE_ADDED, WATCH_EVENT_TYPE_SYNCED, WATCH_EVENT_TYPE_UPDATED,
        WATCH_EVENT_TYPE_REMOVED);
    assertThat(watch.values().get(2).getInstance().getLoad().getInFlight()).isEqualTo(5);
    assertThat(last(watch).getRemovalReason()).isEqualTo(REMOVAL_REASON_FILTERED_OUT);
  }

  @Test
  void watch_resumeFromRevision_replaysMissedEventsThenSynced() {
    RecordingObserver<WatchAgentInstancesRequest, WatchAgentInstancesResponse> first = watch(0);
    awaitTypes(first, WATCH_EVENT_TYPE_SYNCED);
    registerEcho(1);
    awaitTypes(first, WATCH_EVENT_TYPE_SYNCED, WATCH_EVENT_TYPE_ADDED);
    long seen = last(first).getRevision();
    first.cancel();
    registerEcho(2);
    registerEcho(3);

    RecordingObserver<WatchAgentInstancesRequest, WatchAgentInstancesResponse> resumed =
        watch(seen);

    awaitTypes(resumed, WATCH_EVENT_TYPE_ADDED, WATCH_EVENT_TYPE_ADDED, WATCH_EVENT_TYPE_SYNCED);
    assertThat(resumed.values())
        .extracting(WatchAgentInstancesResponse::getRevision)
        .containsExactly(seen + 1, seen + 2, seen + 2);
  }

  @Test
  void watch_compactedRevision_failsOutOfRangeRevisionCompacted() {
    for (int port = 1; port <= 25; port++) {
      registerEcho(port);
    }

    RecordingObserver<WatchAgentInstancesRequest, WatchAgentInstancesResponse> watch = watch(1);

    await().until(watch::failed);
    MeshException e = GrpcErrors.fromStatusException(watch.error());
    assertThat(watch.error().getStatus().getCode()).isEqualTo(Status.Code.OUT_OF_RANGE);
    assertThat(e.reason()).isEqualTo("REVISION_COMPACTED");
    assertThat(e.getMessage())
        .isEqualTo("revision 1 is compacted (oldest kept: 5); watch again from 0");
  }

  @Test
  void watch_clientNeverReads_isCutOffWithoutBlockingOthers() {
    RecordingObserver<WatchAgentInstancesRequest, WatchAgentInstancesResponse> slow =
        RecordingObserver.manual(0);
    mesh.async("client/slow").watchAgentInstances(
        WatchAgentInstancesRequest.getDefaultInstance(), slow);
    RecordingObserver<WatchAgentInstancesRequest, WatchAgentInstancesResponse> fast = watch(0);
    await().until(() -> mesh.registry().watcherCount() == 2);

    await().until(() -> fast.values().size() == 1);

    // Paced by the fast reader, so only the slow one falls behind; every registration and every
    // event for the fast reader still goes through while the slow one is stuck, then cut off.
    int registrations = WATCHER_BUFFER * 3;
    for (int port = 1; port <= registrations; port++) {
      registerEcho(port);
      int expected = port + 1;
      await().until(() -> fast.values().size() == expected);
    }

    await().until(slow::failed);
    MeshException e = GrpcErrors.fromStatusException(slow.error());
    assertThat(slow.error().getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(e.reason()).isEqualTo("WATCHER_TOO_SLOW");
    assertThat(e.retryAfter()).isPresent();
    assertThat(slow.values()).isEmpty();
    assertThat(fast.failed()).isFalse();
    assertThat(mesh.registry().watcherCount()).isOne();
  }

  @Test
  void watch_slowClientCutOff_resumesFromLastRevisionWithoutGaps() {
    RecordingObserver<WatchAgentInstancesRequest, WatchAgentInstancesResponse> slow =
        RecordingObserver.manual(2);
    mesh.async().watchAgentInstances(WatchAgentInstancesRequest.getDefaultInstance(), slow);
    await().until(() -> slow.values().size() == 1);
    registerEcho(1);
    await().until(() -> slow.values().size() == 2);

    for (int port = 2; port <= WATCHER_BUFFER + 5; port++) {
      registerEcho(port);
    }
    await().until(slow::failed);
    long lastSeen = last(slow).getRevision();
    RecordingObserver<WatchAgentInstancesRequest, WatchAgentInstancesResponse> resumed =
        watch(lastSeen);

    int missed = WATCHER_BUFFER + 4;
    await().until(() -> resumed.values().size() == missed + 1);
    assertThat(resumed.values().subList(0, missed))
        .extracting(r -> r.getInstance().getEndpoint().getPort())
        .containsExactlyElementsOf(
            IntStream.rangeClosed(2, WATCHER_BUFFER + 5).boxed().toList());
  }

  @Test
  void watch_clientReadsSlowly_receivesEverythingInOrder() {
    RecordingObserver<WatchAgentInstancesRequest, WatchAgentInstancesResponse> reader =
        RecordingObserver.manual(1);
    mesh.async().watchAgentInstances(WatchAgentInstancesRequest.getDefaultInstance(), reader);
    await().until(() -> reader.values().size() == 1);

    for (int port = 1; port <= WATCHER_BUFFER - 1; port++) {
      registerEcho(port);
    }
    reader.request(100);

    await().until(() -> reader.values().size() == WATCHER_BUFFER);
    assertThat(reader.values())
        .extracting(WatchAgentInstancesResponse::getRevision)
        .isSorted();
    assertThat(reader.failed()).isFalse();
  }

  @Test
  void watch_clientCancels_detachesWatcher() {
    RecordingObserver<WatchAgentInstancesRequest, WatchAgentInstancesResponse> watch = watch(0);
    await().until(() -> mesh.registry().watcherCount() == 1);

    watch.cancel();

    await().until(() -> mesh.registry().watcherCount() == 0);
  }

  private RecordingObserver<WatchAgentInstancesRequest, WatchAgentInstancesResponse> watch(
      long afterRevision) {
    RecordingObserver<WatchAgentInstancesRequest, WatchAgentInstancesResponse> observer =
        RecordingObserver.eager();
    mesh.async("client/meshctl").watchAgentInstances(
        WatchAgentInstancesRequest.newBuilder().setAfterRevision(afterRevision).build(), observer);
    return observer;
  }

  private String registerEcho(int port) {
    return mesh.blocking("agent/echo").registerAgent(register("echo", port)).getInstance()
        .getInstanceId();
  }

  private static void awaitTypes(
      RecordingObserver<?, WatchAgentInstancesResponse> watch, WatchEventType... types) {
    await().untilAsserted(
        () -> assertThat(watch.values())
            .extracting(WatchAgentInstancesResponse::getType)
            .containsExactly(types));
  }

  private static WatchAgentInstancesResponse last(
      RecordingObserver<?, WatchAgentInstancesResponse> watch) {
    List<WatchAgentInstancesResponse> values = watch.values();
    return values.get(values.size() - 1);
  }
}
