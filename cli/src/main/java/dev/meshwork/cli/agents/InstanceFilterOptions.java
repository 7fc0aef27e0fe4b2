package dev.meshwork.cli.agents;

import dev.meshwork.api.registry.v1.HealthState;
import dev.meshwork.api.registry.v1.InstanceFilter;
import dev.meshwork.cli.output.ProtoEnums;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** The instance filter options {@code agents list} and {@code agents watch} share. */
final class InstanceFilterOptions {

  @Option(names = "--skill", paramLabel = "ID", description = "Only instances serving this skill.")
  private String skill;

  @Option(names = "--agent", paramLabel = "NAME", description = "Only instances of this agent.")
  private String agent;

  @Option(
      names = "--label",
      paramLabel = "KEY=VALUE",
      description = "Only instances with this card label; repeat to require several.")
  private Map<String, String> labels = new LinkedHashMap<>();

  @Option(
      names = "--health",
      paramLabel = "STATE",
      description = "Only instances in this health state: SERVING, NOT_SERVING or DRAINING.")
  private String health;

  /** The filter; empty parts match everything. */
  InstanceFilter filter() {
    InstanceFilter.Builder filter = InstanceFilter.newBuilder().putAllLabels(labels);
    if (skill != null) {
      filter.setSkillId(skill);
    }
    if (agent != null) {
      filter.setAgentName(agent);
    }
    if (health != null) {
      filter.setHealth(ProtoEnums.parse(HealthState.class, "HEALTH_STATE_", health, "--health"));
    }
    return filter.build();
  }

  /** Whether any filter was given. */
  boolean any() {
    return skill != null || agent != null || !labels.isEmpty() || health != null;
  }
}
