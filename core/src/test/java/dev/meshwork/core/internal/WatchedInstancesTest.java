package dev.meshwork.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.Durations;
import dev.meshwork.api.common.v1.Endpoint;
import dev.meshwork.api.registry.v1.AgentInstance;
import dev.meshwork.api.registry.v1.HealthState;
import dev.meshwork.api.registry.v1.WatchAgentInstancesResponse;
import dev.meshwork.api.registry.v1.WatchEventType;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class WatchedInstancesTest {

  private static final long SECOND = Duration.ofSeconds(1).toNanos();

  private final WatchedInstances instances = new WatchedInstances();

  @Test
  void apply_snapshotBeforeSynced_changesNothingVisible() {
    instances.streamStarted();

    assertThat(instances.apply(added("a", 1, 1), 0)).isFalse();
    assertThat(instances.servingEndpoints()).isEmpty();
    assertThat(instances.apply(synced(1), 0)).isTrue();

    assertThat(instances.servingEndpoints()).containsExactly(endpoint(1));
    assertThat(instances.revision()).isEqualTo(1);
  }

  @Test
  void apply_liveEvents_addUpdateRemove() {
    instances.streamStarted();
    instances.apply(synced(0), 0);

    assertThat(instances.apply(added("a", 1, 1), 0)).isTrue();
    instances.apply(added("b", 2, 2), 0);
    AgentInstance draining =
        instance("a", 1, 3).toBuilder().setHealth(HealthState.HEALTH_STATE_DRAINING).build();
    instances.apply(event(WatchEventType.WATCH_EVENT_TYPE_UPDATED, draining, 3), 0);
    assertThat(instances.servingEndpoints()).containsExactly(endpoint(2));

    instances.apply(event(WatchEventType.WATCH_EVENT_TYPE_REMOVED, instance("b", 2, 2), 4), 0);

    assertThat(instances.servingEndpoints()).isEmpty();
    assertThat(instances.size()).isEqualTo(1);
    assertThat(instances.revision()).isEqualTo(4);
  }

  @Test
  void apply_brokenResumeBeforeSynced_keepsLastCompleteView() {
    instances.streamStarted();
    instances.apply(added("a", 1, 1), 0);
    instances.apply(synced(1), 0);

    instances.streamStarted(); // resume from 1; the stream breaks mid-replay
    instances.apply(event(WatchEventType.WATCH_EVENT_TYPE_REMOVED, instance("a", 1, 1), 2), 0);

    assertThat(instances.servingEndpoints()).containsExactly(endpoint(1));
  }

  @Test
  void apply_resnapshotMissingAnInstance_keepsItStaleForItsLease() {
    instances.streamStarted();
    instances.apply(added("a", 1, 1), 0);
    instances.apply(added("b", 2, 2), 0);
    instances.apply(synced(2), 0);

    instances.forgetRevision();
    instances.streamStarted();
    instances.apply(added("b", 2, 1), 10 * SECOND);
    instances.apply(synced(1), 10 * SECOND);

    assertThat(instances.servingEndpoints()).containsExactly(endpoint(1), endpoint(2));
    assertThat(instances.nextStaleExpiry()).hasValue(25 * SECOND); // 15s lease
    assertThat(instances.expireStale(24 * SECOND)).isFalse();
    assertThat(instances.expireStale(25 * SECOND)).isTrue();
    assertThat(instances.servingEndpoints()).containsExactly(endpoint(2));
  }

  @Test
  void apply_staleInstanceRegistersAgain_isNoLongerStale() {
    instances.streamStarted();
    instances.apply(added("a", 1, 1), 0);
    instances.apply(synced(1), 0);
    instances.forgetRevision();
    instances.streamStarted();
    instances.apply(synced(0), SECOND);

    instances.apply(added("a2", 1, 1), 2 * SECOND);

    assertThat(instances.nextStaleExpiry()).isEmpty();
    assertThat(instances.servingEndpoints()).containsExactly(endpoint(1));
  }

  private static WatchAgentInstancesResponse added(String id, int port, long revision) {
    return event(WatchEventType.WATCH_EVENT_TYPE_ADDED, instance(id, port, revision), revision);
  }

  private static WatchAgentInstancesResponse synced(long revision) {
    return WatchAgentInstancesResponse.newBuilder()
        .setType(WatchEventType.WATCH_EVENT_TYPE_SYNCED)
        .setRevision(revision)
        .build();
  }

  private static WatchAgentInstancesResponse event(
      WatchEventType type, AgentInstance instance, long revision) {
    return WatchAgentInstancesResponse.newBuilder()
        .setType(type)
        .setInstance(instance)
        .setRevision(revision)
        .build();
  }

  private static AgentInstance instance(String id, int port, long revision) {
    return AgentInstance.newBuilder()
        .setInstanceId(id)
        .setEndpoint(endpoint(port))
        .setHealth(HealthState.HEALTH_STATE_SERVING)
        .setLeaseTtl(Durations.fromSeconds(15))
        .setRevision(revision)
        .build();
  }

  private static Endpoint endpoint(int port) {
    return Endpoint.newBuilder().setHost("10.0.0.1").setPort(port).build();
  }
}
