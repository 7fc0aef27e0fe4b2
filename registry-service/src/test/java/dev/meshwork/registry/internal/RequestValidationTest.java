package dev.meshwork.registry.internal;

import static dev.meshwork.registry.testing.Requests.card;
import static dev.meshwork.registry.testing.Requests.register;
import static dev.meshwork.registry.testing.Requests.ttl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.meshwork.api.common.v1.AgentCard;
import dev.meshwork.api.common.v1.Endpoint;
import dev.meshwork.api.common.v1.Skill;
import dev.meshwork.api.registry.v1.HealthState;
import dev.meshwork.api.registry.v1.Load;
import dev.meshwork.api.registry.v1.RegisterAgentRequest;
import dev.meshwork.api.registry.v1.RenewLeaseRequest;
import dev.meshwork.core.ErrorCode;
import dev.meshwork.core.FieldViolation;
import dev.meshwork.core.MeshException;
import dev.meshwork.registry.testing.MutableClock;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RequestValidationTest {

  private final InstanceRegistry registry =
      InstanceRegistry.builder().clock(MutableClock.atEpochDay()).startRevision(0).build();

  @Test
  void register_manyProblems_reportsEveryViolationAndLeavesStoreUnchanged() {
    AgentCard badCard =
        AgentCard.newBuilder()
            .setName("Echo_Agent")
            .addSkills(Skill.newBuilder().setId("echo"))
            .addSkills(Skill.newBuilder().setId(""))
            .addSkills(Skill.newBuilder().setId("echo"))
            .putLabels("Bad Key", "x")
            .putLabels("zone", "z".repeat(64))
            .build();
    RegisterAgentRequest request =
        RegisterAgentRequest.newBuilder()
            .setCard(badCard)
            .setEndpoint(Endpoint.newBuilder().setHost("").setPort(0))
            .setLeaseTtl(ttl(Duration.ZERO))
            .build();

    MeshException e = registerExpectingFailure(request);

    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(e.violations())
        .extracting(FieldViolation::field)
        .containsExactly(
            "card.name",
            "card.skills[1].id",
            "card.skills[2].id",
            "card.labels[\"Bad Key\"]",
            "card.labels[\"zone\"]",
            "endpoint.host",
            "endpoint.port",
            "lease_ttl");
    assertThat(e.getMessage()).contains("lease_ttl: 0s (expected: 1s..10m)");
    assertThat(e.getMessage()).contains("endpoint.port: 0 (expected: 1..65535)");
    assertThat(e.violations().get(2).description()).contains("card.skills[0].id has it too");
    assertThat(registry.size()).isZero();
    assertThat(registry.currentRevision()).isZero();
  }

  @Test
  void register_missingCardAndEndpoint_reportsBoth() {
    MeshException e = registerExpectingFailure(RegisterAgentRequest.getDefaultInstance());

    assertThat(e.violations())
        .extracting(FieldViolation::field)
        .containsExactly("card", "endpoint");
  }

  @Test
  void register_noSkills_isRejected() {
    MeshException e =
        registerExpectingFailure(register(AgentCard.newBuilder().setName("echo").build(), 9000));

    assertThat(e.violations())
        .containsExactly(new FieldViolation("card.skills", "[] (expected: at least one skill)"));
  }

  @ParameterizedTest
  @ValueSource(longs = {0, 601, -5})
  void register_ttlOutOfRange_isRejected(long seconds) {
    RegisterAgentRequest request =
        register("echo", 9000).toBuilder().setLeaseTtl(ttl(Duration.ofSeconds(seconds))).build();

    MeshException e = registerExpectingFailure(request);

    assertThat(e.violations())
        .containsExactly(new FieldViolation("lease_ttl", seconds + "s (expected: 1s..10m)"));
  }

  @Test
  void register_subSecondTtl_isRejectedWithFraction() {
    RegisterAgentRequest request =
        register("echo", 9000).toBuilder().setLeaseTtl(ttl(Duration.ofMillis(500))).build();

    assertThat(registerExpectingFailure(request).getMessage())
        .isEqualTo("lease_ttl: 0.500s (expected: 1s..10m)");
  }

  @Test
  void register_ttlBounds_areAccepted() {
    registry.register(
        register("a", 1).toBuilder().setLeaseTtl(ttl(Duration.ofSeconds(1))).build(),
        Optional.empty());
    registry.register(
        register("b", 1).toBuilder().setLeaseTtl(ttl(Duration.ofMinutes(10))).build(),
        Optional.empty());

    assertThat(registry.size()).isEqualTo(2);
  }

  @Test
  void register_cardOver64KiB_isRejected() {
    AgentCard big =
        card("echo", "echo").toBuilder().setDescription("x".repeat(65 * 1024)).build();

    MeshException e = registerExpectingFailure(register(big, 9000));

    assertThat(e.violations()).extracting(FieldViolation::field).containsExactly("card");
    assertThat(e.violations().get(0).description()).contains("(expected: at most 65536)");
  }

  @Test
  void register_prefixedLabelKey_isAccepted() {
    AgentCard labelled =
        card("echo", "echo").toBuilder()
            .putLabels("example.com/zone", "eu-1")
            .putLabels("tier", "")
            .build();

    registry.register(register(labelled, 9000), Optional.empty());

    assertThat(registry.size()).isOne();
  }

  @ParameterizedTest
  @ValueSource(strings = {"Zone", "-zone", "zone-", "a/b/c", "/zone", "Example.com/zone", "a_b"})
  void isValidLabelKey_malformedKey_isFalse(String key) {
    assertThat(CardValidator.isValidLabelKey(key)).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"zone", "z", "app-tier-2", "example.com/zone", "a.b.c/x1"})
  void isValidLabelKey_wellFormedKey_isTrue(String key) {
    assertThat(CardValidator.isValidLabelKey(key)).isTrue();
  }

  @Test
  void register_skillIdWithSlash_isRejected() {
    MeshException e = registerExpectingFailure(register(card("echo", "text/summarize"), 9000));

    assertThat(e.violations()).extracting(FieldViolation::field)
        .containsExactly("card.skills[0].id");
  }

  @Test
  void renew_badLoadAndEmptyId_reportsAll() {
    RenewLeaseRequest request =
        RenewLeaseRequest.newBuilder()
            .setLoad(Load.newBuilder().setInFlight(-1).setUtilization(Double.NaN))
            .setHealthValue(42)
            .build();

    MeshException e =
        catchThrowableOfType(
            MeshException.class, () -> registry.renew(request, Optional.empty()));

    assertThat(e.violations())
        .extracting(FieldViolation::field)
        .containsExactly("instance_id", "load.in_flight", "load.utilization", "health");
  }

  @Test
  void get_emptyId_isInvalidArgument() {
    assertThatThrownBy(() -> registry.get(""))
        .isInstanceOfSatisfying(
            MeshException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
  }

  @Test
  void renew_healthUnspecified_isAccepted() {
    String id = registry.register(register("echo", 1), Optional.empty()).getInstanceId();

    registry.renew(renewWithHealth(id, HealthState.HEALTH_STATE_UNSPECIFIED), Optional.empty());

    assertThat(registry.get(id).getHealth()).isEqualTo(HealthState.HEALTH_STATE_SERVING);
  }

  private static RenewLeaseRequest renewWithHealth(String id, HealthState health) {
    return RenewLeaseRequest.newBuilder().setInstanceId(id).setHealth(health).build();
  }

  private MeshException registerExpectingFailure(RegisterAgentRequest request) {
    return catchThrowableOfType(
        MeshException.class, () -> registry.register(request, Optional.empty()));
  }
}
