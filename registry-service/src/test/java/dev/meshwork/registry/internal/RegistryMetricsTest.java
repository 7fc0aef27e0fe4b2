package dev.meshwork.registry.internal;

import static dev.meshwork.registry.testing.Requests.card;
import static dev.meshwork.registry.testing.Requests.register;
import static dev.meshwork.registry.testing.Requests.renew;
import static org.assertj.core.api.Assertions.assertThat;

import dev.meshwork.api.registry.v1.AgentInstance;
import dev.meshwork.api.registry.v1.HealthState;
import dev.meshwork.core.MeshIdentity;
import dev.meshwork.observability.MeshAttributes;
import dev.meshwork.observability.testing.InMemoryTelemetry;
import dev.meshwork.registry.testing.MutableClock;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RegistryMetricsTest {

  private static final Optional<MeshIdentity> NO_IDENTITY = Optional.empty();

  @RegisterExtension final InMemoryTelemetry telemetry = new InMemoryTelemetry();

  private final MutableClock clock = MutableClock.atEpochDay();
  private final InstanceRegistry registry =
      InstanceRegistry.builder().clock(clock).startRevision(0).build();
  private RegistryMetrics metrics;

  @AfterEach
  void closeMetrics() {
    if (metrics != null) {
      metrics.close();
    }
  }

  @Test
  void instances_registeredAgents_countedByAgentAndHealth() {
    registry.register(register("text", 9001), NO_IDENTITY);
    registry.register(register("text", 9002), NO_IDENTITY);
    AgentInstance echo = registry.register(register("echo", 9003), NO_IDENTITY);
    registry.renew(renew(echo.getInstanceId(), HealthState.HEALTH_STATE_DRAINING), NO_IDENTITY);
    metrics = new RegistryMetrics(registry);

    assertThat(points(RegistryMetrics.INSTANCES, MeshAttributes.AGENT_NAME))
        .isEqualTo(Map.of("text/SERVING", 2L, "echo/DRAINING", 1L));
  }

  @Test
  void skillInstances_sharedSkill_countsEachInstanceOncePerSkill() {
    registry.register(register(card("text", "text.keywords", "text.summarize"), 9001), NO_IDENTITY);
    registry.register(register(card("nlp", "text.keywords", "nlp.parse"), 9002), NO_IDENTITY);
    metrics = new RegistryMetrics(registry);

    assertThat(points(RegistryMetrics.SKILL_INSTANCES, MeshAttributes.SKILL))
        .isEqualTo(
            Map.of(
                "text.keywords/SERVING", 2L,
                "text.summarize/SERVING", 1L,
                "nlp.parse/SERVING", 1L));
  }

  @Test
  void instances_leaseExpiredBeforeSweep_notCounted() {
    registry.register(register("text", 9001), NO_IDENTITY);
    metrics = new RegistryMetrics(registry);
    assertThat(points(RegistryMetrics.INSTANCES, MeshAttributes.AGENT_NAME))
        .containsEntry("text/SERVING", 1L);

    clock.advance(Duration.ofSeconds(11)); // past the 10 s lease; no sweep yet

    assertThat(registry.size()).isOne();
    assertThat(points(RegistryMetrics.INSTANCES, MeshAttributes.AGENT_NAME)).isEmpty();
  }

  @Test
  void instances_deregistered_dropsTheAttributeSet() {
    AgentInstance text = registry.register(register("text", 9001), NO_IDENTITY);
    registry.register(register("data", 9002), NO_IDENTITY);
    metrics = new RegistryMetrics(registry);

    registry.deregister(text.getInstanceId(), NO_IDENTITY);

    assertThat(points(RegistryMetrics.INSTANCES, MeshAttributes.AGENT_NAME))
        .isEqualTo(Map.of("data/SERVING", 1L));
  }

  @Test
  void close_afterwards_reportsNothing() {
    registry.register(register("text", 9001), NO_IDENTITY);
    metrics = new RegistryMetrics(registry);

    metrics.close();

    assertThat(telemetry.metric(RegistryMetrics.INSTANCES)).isEmpty();
    assertThat(telemetry.metric(RegistryMetrics.SKILL_INSTANCES)).isEmpty();
  }

  @Test
  void health_enumValue_dropsThePrefix() {
    assertThat(RegistryMetrics.health(HealthState.HEALTH_STATE_NOT_SERVING))
        .isEqualTo("NOT_SERVING");
  }

  /** The gauge's points as "<label>/<health>" to value, collected now. */
  private Map<String, Long> points(String name, AttributeKey<String> label) {
    return telemetry
        .metric(name)
        .map(MetricData::getLongGaugeData)
        .map(data -> data.getPoints().stream())
        .orElseGet(Stream::empty)
        .collect(
            Collectors.toMap(
                (LongPointData p) ->
                    p.getAttributes().get(label)
                        + "/"
                        + p.getAttributes().get(MeshAttributes.HEALTH),
                LongPointData::getValue));
  }
}
