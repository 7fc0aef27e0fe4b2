package dev.meshwork.registry.internal;

import static java.util.Objects.requireNonNull;

import dev.meshwork.api.common.v1.Skill;
import dev.meshwork.api.registry.v1.AgentInstance;
import dev.meshwork.api.registry.v1.HealthState;
import dev.meshwork.observability.MeshAttributes;
import dev.meshwork.observability.MeshMetrics;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.ObservableLongGauge;
import io.opentelemetry.api.metrics.ObservableLongMeasurement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The registry's gauges, counted from the live instances at each collection (so they cannot drift
 * from the registry's state):
 *
 * <ul>
 *   <li>{@code meshwork.registry.instances}: registered instances by agent name and health; the
 *       points add up to the number of instances.
 *   <li>{@code meshwork.registry.skill.instances}: instances offering each skill, by health; an
 *       instance counts once under each of its skills, so these points do not add up to the total.
 *       It answers the question a caller asks: how many instances can serve skill X.
 * </ul>
 *
 * <p>Instruments are bound to the telemetry current when this is built: build it after {@code
 * MeshTelemetry.init}. An attribute set with no instances left is no longer reported.
 */
public final class RegistryMetrics implements AutoCloseable {

  /** The gauge of instances by agent and health. */
  public static final String INSTANCES = "meshwork.registry.instances";

  /** The gauge of instances by skill and health. */
  public static final String SKILL_INSTANCES = "meshwork.registry.skill.instances";

  private static final String HEALTH_PREFIX = "HEALTH_STATE_";

  private final ObservableLongGauge instances;
  private final ObservableLongGauge skillInstances;

  /** Starts reporting the instances of {@code registry}. */
  public RegistryMetrics(InstanceRegistry registry) {
    requireNonNull(registry, "registry");
    instances =
        MeshMetrics.gauge(
            INSTANCES,
            "Registered agent instances with a live lease, by agent name and health",
            "{instance}",
            m -> record(m, byAgent(registry.liveInstances())));
    skillInstances =
        MeshMetrics.gauge(
            SKILL_INSTANCES,
            "Registered agent instances with a live lease offering each skill, by health",
            "{instance}",
            m -> record(m, bySkill(registry.liveInstances())));
  }

  /** Instance counts keyed by agent name and health. */
  static Map<Attributes, Long> byAgent(List<AgentInstance> instances) {
    Map<Attributes, Long> counts = new LinkedHashMap<>();
    for (AgentInstance instance : instances) {
      Attributes key =
          Attributes.of(
              MeshAttributes.AGENT_NAME,
              instance.getCard().getName(),
              MeshAttributes.HEALTH,
              health(instance.getHealth()));
      counts.merge(key, 1L, Long::sum);
    }
    return counts;
  }

  /** Instance counts keyed by skill and health (a card's skill ids are unique: CardValidator). */
  static Map<Attributes, Long> bySkill(List<AgentInstance> instances) {
    Map<Attributes, Long> counts = new LinkedHashMap<>();
    for (AgentInstance instance : instances) {
      String health = health(instance.getHealth());
      for (Skill skill : instance.getCard().getSkillsList()) {
        counts.merge(
            Attributes.of(MeshAttributes.SKILL, skill.getId(), MeshAttributes.HEALTH, health),
            1L,
            Long::sum);
      }
    }
    return counts;
  }

  /** SERVING rather than HEALTH_STATE_SERVING: the label reads like the CLI's HEALTH column. */
  static String health(HealthState health) {
    String name = health.name();
    return name.startsWith(HEALTH_PREFIX) ? name.substring(HEALTH_PREFIX.length()) : name;
  }

  private static void record(ObservableLongMeasurement measurement, Map<Attributes, Long> counts) {
    counts.forEach((attributes, count) -> measurement.record(count, attributes));
  }

  /** Stops reporting. */
  @Override
  public void close() {
    instances.close();
    skillInstances.close();
  }
}
