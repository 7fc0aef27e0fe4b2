package dev.meshwork.registry.internal;

import static dev.meshwork.registry.testing.Requests.card;
import static dev.meshwork.registry.testing.Requests.register;
import static dev.meshwork.registry.testing.Requests.renew;
import static dev.meshwork.registry.testing.Requests.ttl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.Timestamp;
import dev.meshwork.api.common.v1.AgentCard;
import dev.meshwork.api.registry.v1.AgentInstance;
import dev.meshwork.api.registry.v1.HealthState;
import dev.meshwork.api.registry.v1.InstanceFilter;
import dev.meshwork.api.registry.v1.ListAgentInstancesRequest;
import dev.meshwork.api.registry.v1.RegisterAgentRequest;
import dev.meshwork.core.ErrorCode;
import dev.meshwork.core.MeshException;
import dev.meshwork.core.MeshIdentity;
import dev.meshwork.registry.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class InstanceRegistryTest {

  private static final Optional<MeshIdentity> NO_IDENTITY = Optional.empty();

  private final MutableClock clock = MutableClock.atEpochDay();
  private final InstanceRegistry registry =
      InstanceRegistry.builder().clock(clock).startRevision(0).build();

  @Test
  void register_newInstance_storesItServingWithLease() {
    AgentInstance instance = registry.register(register("echo", 9000), NO_IDENTITY);

    assertThat(instance.getInstanceId()).startsWith("echo-").hasSize("echo-".length() + 12);
    assertThat(instance.getHealth()).isEqualTo(HealthState.HEALTH_STATE_SERVING);
    assertThat(instance.getRevision()).isEqualTo(1);
    assertThat(instance.getRegisterTime()).isEqualTo(timestamp(clock.instant()));
    assertThat(instance.getLeaseExpireTime())
        .isEqualTo(timestamp(clock.instant().plusSeconds(10)));
    assertThat(registry.get(instance.getInstanceId())).isEqualTo(instance);
  }

  @Test
  void register_withoutTtl_usesThirtySecondDefault() {
    RegisterAgentRequest request = register("echo", 9000).toBuilder().clearLeaseTtl().build();

    AgentInstance instance = registry.register(request, NO_IDENTITY);

    assertThat(instance.getLeaseTtl()).isEqualTo(ttl(Duration.ofSeconds(30)));
  }

  @Test
  void register_sameNameAndEndpoint_updatesWithoutDuplicate() {
    AgentInstance first = registry.register(register("echo", 9000), NO_IDENTITY);
    clock.advance(Duration.ofSeconds(3));
    AgentCard newCard = card("echo", "echo.run", "echo.shout");

    AgentInstance second = registry.register(register(newCard, 9000), NO_IDENTITY);

    assertThat(second.getInstanceId()).isEqualTo(first.getInstanceId());
    assertThat(second.getCard()).isEqualTo(newCard);
    assertThat(second.getRegisterTime()).isEqualTo(first.getRegisterTime());
    assertThat(second.getRevision()).isEqualTo(2);
    assertThat(registry.size()).isOne();
  }

  @Test
  void register_identicalAgain_extendsLeaseWithoutNewRevision() {
    AgentInstance first = registry.register(register("echo", 9000), NO_IDENTITY);
    clock.advance(Duration.ofSeconds(3));

    AgentInstance second = registry.register(register("echo", 9000), NO_IDENTITY);

    assertThat(second.getRevision()).isEqualTo(first.getRevision());
    assertThat(second.getLeaseExpireTime()).isEqualTo(timestamp(clock.instant().plusSeconds(10)));
    assertThat(registry.currentRevision()).isEqualTo(1);
  }

  @Test
  void register_hostDiffersOnlyInCase_isSameInstance() {
    AgentInstance first = registry.register(register("echo", 9000), NO_IDENTITY);
    RegisterAgentRequest upper =
        register("echo", 9000).toBuilder()
            .setEndpoint(register("echo", 9000).getEndpoint().toBuilder().setHost("LOCALHOST"))
            .build();
    RegisterAgentRequest lower =
        upper.toBuilder().setEndpoint(upper.getEndpoint().toBuilder().setHost("localhost")).build();

    String a = registry.register(upper, NO_IDENTITY).getInstanceId();
    String b = registry.register(lower, NO_IDENTITY).getInstanceId();

    assertThat(a).isEqualTo(b).isNotEqualTo(first.getInstanceId());
    assertThat(registry.size()).isEqualTo(2);
  }

  @Test
  void register_otherEndpointOrName_createsSeparateInstances() {
    registry.register(register("echo", 9000), NO_IDENTITY);
    registry.register(register("echo", 9001), NO_IDENTITY);
    registry.register(register("other", 9000), NO_IDENTITY);

    assertThat(registry.size()).isEqualTo(3);
  }

  @Test
  void register_afterRestart_getsSameInstanceId() {
    String before = registry.register(register("echo", 9000), NO_IDENTITY).getInstanceId();
    InstanceRegistry restarted = InstanceRegistry.builder().clock(clock).build();

    String after = restarted.register(register("echo", 9000), NO_IDENTITY).getInstanceId();

    assertThat(after).isEqualTo(before);
  }

  @Test
  void register_callerIsThatAgent_recordsIdentity() {
    MeshIdentity echo = agent("echo");

    AgentInstance instance = registry.register(register("echo", 9000), Optional.of(echo));

    assertThat(instance.getRegisteredBy()).isEqualTo("spiffe://meshwork.local/agent/echo");
  }

  @Test
  void register_callerIsOtherAgent_isPermissionDeniedAndStoreUnchanged() {
    MeshException e =
        failure(() -> registry.register(register("echo", 9000), Optional.of(agent("other"))));

    assertThat(e.code()).isEqualTo(ErrorCode.PERMISSION_DENIED);
    assertThat(e.getMessage()).contains("agent/other may not register instances of agent 'echo'");
    assertThat(registry.size()).isZero();
  }

  @Test
  void register_callerIsNotAnAgent_isPermissionDenied() {
    MeshIdentity client = new MeshIdentity("meshwork.local", "client", "echo");

    MeshException e = failure(() -> registry.register(register("echo", 9000), Optional.of(client)));

    assertThat(e.code()).isEqualTo(ErrorCode.PERMISSION_DENIED);
  }

  @Test
  void renew_beforeExpiry_extendsLease() {
    String id = registry.register(register("echo", 9000), NO_IDENTITY).getInstanceId();
    clock.advance(Duration.ofSeconds(9));

    AgentInstance renewed = registry.renew(renew(id), NO_IDENTITY);
    clock.advance(Duration.ofSeconds(9));

    assertThat(renewed.getLeaseExpireTime()).isEqualTo(timestamp(clock.instant().plusSeconds(1)));
    assertThat(registry.expireLeases()).isZero();
    assertThat(registry.size()).isOne();
  }

  @Test
  void renew_reportsLoadAndHealth_storesThem() {
    String id = registry.register(register("echo", 9000), NO_IDENTITY).getInstanceId();

    registry.renew(renew(id, 3, 0.5), NO_IDENTITY);
    registry.renew(renew(id, HealthState.HEALTH_STATE_DRAINING), NO_IDENTITY);

    AgentInstance stored = registry.get(id);
    assertThat(stored.getLoad().getInFlight()).isEqualTo(3);
    assertThat(stored.getLoad().getUtilization()).isEqualTo(0.5);
    assertThat(stored.getHealth()).isEqualTo(HealthState.HEALTH_STATE_DRAINING);
  }

  @Test
  void renew_pureHeartbeat_doesNotAdvanceRevision() {
    String id = registry.register(register("echo", 9000), NO_IDENTITY).getInstanceId();
    registry.renew(renew(id, 2, 0.30), NO_IDENTITY);
    long revision = registry.currentRevision();

    registry.renew(renew(id), NO_IDENTITY);
    registry.renew(renew(id, 2, 0.32), NO_IDENTITY);
    registry.renew(renew(id, 2, 0.27), NO_IDENTITY);

    assertThat(registry.currentRevision()).isEqualTo(revision);
    assertThat(registry.get(id).getLoad().getUtilization()).isEqualTo(0.27);
  }

  @Test
  void renew_significantLoadChange_advancesRevision() {
    String id = registry.register(register("echo", 9000), NO_IDENTITY).getInstanceId();

    registry.renew(renew(id, 0, 0.03), NO_IDENTITY);
    registry.renew(renew(id, 0, 0.05), NO_IDENTITY);
    long beforeInFlight = registry.currentRevision();
    registry.renew(renew(id, 1, 0.05), NO_IDENTITY);

    // 0.03 is a drift; 0.05 (cumulative) is published; in-flight 0 -> 1 is published.
    assertThat(beforeInFlight).isEqualTo(2);
    assertThat(registry.currentRevision()).isEqualTo(3);
  }

  @Test
  void renew_unknownInstance_isNotFound() {
    MeshException e = failure(() -> registry.renew(renew("echo-000000000000"), NO_IDENTITY));

    assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(e.reason()).isEqualTo("AGENT_INSTANCE_NOT_FOUND");
  }

  @Test
  void renew_afterLeaseExpired_isNotFoundAndRemovesInstance() {
    String id = registry.register(register("echo", 9000), NO_IDENTITY).getInstanceId();
    clock.advance(Duration.ofSeconds(10));

    MeshException e = failure(() -> registry.renew(renew(id), NO_IDENTITY));

    assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(e.getMessage()).contains("register again");
    assertThat(registry.size()).isZero();
  }

  @Test
  void renew_byOtherAgent_isPermissionDenied() {
    String id = registry.register(register("echo", 9000), Optional.of(agent("echo")))
        .getInstanceId();

    MeshException e = failure(() -> registry.renew(renew(id), Optional.of(agent("other"))));

    assertThat(e.code()).isEqualTo(ErrorCode.PERMISSION_DENIED);
    assertThat(e.getMessage()).contains("may not renew instance '" + id + "'");
  }

  @Test
  void deregister_byOwner_removesInstance() {
    String id = registry.register(register("echo", 9000), Optional.of(agent("echo")))
        .getInstanceId();

    registry.deregister(id, Optional.of(agent("echo")));

    assertThat(registry.size()).isZero();
    assertThat(failure(() -> registry.get(id)).code()).isEqualTo(ErrorCode.NOT_FOUND);
  }

  @Test
  void deregister_byOtherAgent_isPermissionDeniedAndKeepsInstance() {
    String id = registry.register(register("echo", 9000), NO_IDENTITY).getInstanceId();

    MeshException e = failure(() -> registry.deregister(id, Optional.of(agent("other"))));

    assertThat(e.code()).isEqualTo(ErrorCode.PERMISSION_DENIED);
    assertThat(registry.size()).isOne();
  }

  @Test
  void deregister_unknownInstance_isNotFound() {
    MeshException e = failure(() -> registry.deregister("nope-1", NO_IDENTITY));

    assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(e.getMessage()).isEqualTo("agent instance 'nope-1' not found");
  }

  @Test
  void expireLeases_atExpiry_removesOnlyExpired() {
    registry.register(register("short", 1), NO_IDENTITY);
    registry.register(
        register("long", 2).toBuilder().setLeaseTtl(ttl(Duration.ofSeconds(60))).build(),
        NO_IDENTITY);
    clock.advance(Duration.ofMillis(9_999));
    assertThat(registry.expireLeases()).isZero();

    clock.advance(Duration.ofMillis(1));

    assertThat(registry.expireLeases()).isOne();
    assertThat(list(InstanceFilter.getDefaultInstance()))
        .extracting(i -> i.getCard().getName())
        .containsExactly("long");
  }

  @Test
  void register_afterExpiryBeforeSweep_startsFreshInstance() {
    AgentInstance first = registry.register(register("echo", 9000), NO_IDENTITY);
    clock.advance(Duration.ofSeconds(11));

    AgentInstance second = registry.register(register("echo", 9000), NO_IDENTITY);

    assertThat(second.getInstanceId()).isEqualTo(first.getInstanceId());
    assertThat(second.getRegisterTime()).isEqualTo(timestamp(clock.instant()));
    // registered (1), expired (2), registered again (3)
    assertThat(second.getRevision()).isEqualTo(3);
  }

  @Test
  void list_filters_matchSkillNameLabelsAndHealth() {
    AgentCard eu = card("summarizer", "text.summarize").toBuilder()
        .putLabels("zone", "eu").putLabels("tier", "gold").build();
    AgentCard us = card("summarizer", "text.summarize").toBuilder()
        .putLabels("zone", "us").putLabels("tier", "gold").build();
    registry.register(register(eu, 1), NO_IDENTITY);
    String usId = registry.register(register(us, 2), NO_IDENTITY).getInstanceId();
    registry.register(register(card("translator", "text.translate"), 3), NO_IDENTITY);
    registry.renew(renew(usId, HealthState.HEALTH_STATE_NOT_SERVING), NO_IDENTITY);

    assertThat(list(InstanceFilter.newBuilder().setSkillId("text.summarize").build())).hasSize(2);
    assertThat(list(InstanceFilter.newBuilder().setAgentName("translator").build())).hasSize(1);
    assertThat(list(InstanceFilter.newBuilder().putLabels("tier", "gold").build())).hasSize(2);
    assertThat(
            list(InstanceFilter.newBuilder().putLabels("tier", "gold").putLabels("zone", "eu")
                .build()))
        .extracting(i -> i.getEndpoint().getPort())
        .containsExactly(1);
    assertThat(list(InstanceFilter.newBuilder().putLabels("zone", "mars").build())).isEmpty();
    assertThat(
            list(InstanceFilter.newBuilder().setHealth(HealthState.HEALTH_STATE_SERVING).build()))
        .hasSize(2);
    assertThat(
            list(InstanceFilter.newBuilder().setSkillId("text.summarize")
                .setHealth(HealthState.HEALTH_STATE_NOT_SERVING).build()))
        .extracting(AgentInstance::getInstanceId)
        .containsExactly(usId);
  }

  @Test
  void list_acrossPages_returnsEveryMatchOnceInIdOrder() {
    for (int port = 1; port <= 25; port++) {
      registry.register(register("echo", port), NO_IDENTITY);
    }
    registry.register(register("other", 1), NO_IDENTITY);
    InstanceFilter filter = InstanceFilter.newBuilder().setAgentName("echo").build();

    List<AgentInstance> all = new ArrayList<>();
    List<Integer> pageSizes = new ArrayList<>();
    String token = "";
    do {
      InstancePage page = registry.list(
          ListAgentInstancesRequest.newBuilder()
              .setFilter(filter).setPageSize(10).setPageToken(token).build());
      all.addAll(page.instances());
      pageSizes.add(page.instances().size());
      token = page.nextPageToken();
    } while (!token.isEmpty());

    assertThat(pageSizes).containsExactly(10, 10, 5);
    assertThat(all).extracting(AgentInstance::getInstanceId)
        .doesNotHaveDuplicates()
        .isSorted()
        .hasSize(25);
  }

  @Test
  void list_exactlyOneFullPage_hasNoNextToken() {
    for (int port = 1; port <= 3; port++) {
      registry.register(register("echo", port), NO_IDENTITY);
    }

    InstancePage page =
        registry.list(ListAgentInstancesRequest.newBuilder().setPageSize(3).build());

    assertThat(page.instances()).hasSize(3);
    assertThat(page.nextPageToken()).isEmpty();
  }

  @Test
  void list_instanceRemovedBetweenPages_continuesAfterIt() {
    for (int port = 1; port <= 4; port++) {
      registry.register(register("echo", port), NO_IDENTITY);
    }
    InstancePage first =
        registry.list(ListAgentInstancesRequest.newBuilder().setPageSize(2).build());
    registry.deregister(first.instances().get(1).getInstanceId(), NO_IDENTITY);

    InstancePage second = registry.list(
        ListAgentInstancesRequest.newBuilder()
            .setPageSize(2).setPageToken(first.nextPageToken()).build());

    assertThat(second.instances()).hasSize(2);
    assertThat(second.nextPageToken()).isEmpty();
  }

  @Test
  void list_pageSizeZeroOrHuge_isDefaultedOrCapped() {
    for (int port = 1; port <= 1001; port++) {
      registry.register(register("echo", port), NO_IDENTITY);
    }

    assertThat(registry.list(ListAgentInstancesRequest.getDefaultInstance()).instances())
        .hasSize(100);
    assertThat(
            registry.list(ListAgentInstancesRequest.newBuilder().setPageSize(5000).build())
                .instances())
        .hasSize(1000);
  }

  @Test
  void list_badTokenOrNegativeSize_isInvalidArgument() {
    MeshException badToken = failure(() -> registry.list(
        ListAgentInstancesRequest.newBuilder().setPageToken("not-a-token!").build()));
    MeshException negative = failure(() -> registry.list(
        ListAgentInstancesRequest.newBuilder().setPageSize(-1).build()));

    assertThat(badToken.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(badToken.violations().get(0).field()).isEqualTo("page_token");
    assertThat(negative.violations().get(0).field()).isEqualTo("page_size");
  }

  @Test
  void list_tokenWithOtherFilter_isInvalidArgument() {
    for (int port = 1; port <= 3; port++) {
      registry.register(register("echo", port), NO_IDENTITY);
    }
    String token = registry.list(ListAgentInstancesRequest.newBuilder().setPageSize(1).build())
        .nextPageToken();

    MeshException e = failure(() -> registry.list(
        ListAgentInstancesRequest.newBuilder()
            .setFilter(InstanceFilter.newBuilder().setAgentName("echo"))
            .setPageToken(token)
            .build()));

    assertThat(e.getMessage()).contains("issued for a different filter");
  }

  private List<AgentInstance> list(InstanceFilter filter) {
    return registry.list(
        ListAgentInstancesRequest.newBuilder().setFilter(filter).setPageSize(1000).build())
        .instances();
  }

  private static MeshIdentity agent(String name) {
    return new MeshIdentity("meshwork.local", "agent", name);
  }

  private static Timestamp timestamp(Instant instant) {
    return Timestamp.newBuilder()
        .setSeconds(instant.getEpochSecond())
        .setNanos(instant.getNano())
        .build();
  }

  private static MeshException failure(Runnable action) {
    return catchThrowableOfType(MeshException.class, action::run);
  }
}
