package dev.meshwork.cli.agents;

import dev.meshwork.api.common.v1.Endpoint;
import dev.meshwork.api.common.v1.Skill;
import dev.meshwork.api.registry.v1.AgentInstance;
import dev.meshwork.api.registry.v1.HealthState;
import dev.meshwork.cli.output.HumanFormat;
import dev.meshwork.cli.output.ProtoEnums;
import dev.meshwork.cli.output.Table;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/** How agent instances look in meshctl's output. */
final class InstanceView {

  private InstanceView() {}

  /** The instances as a table: one row each. */
  static Table table(List<AgentInstance> instances, Instant now) {
    Table table =
        new Table(
            "INSTANCE",
            "AGENT",
            "VERSION",
            "SKILLS",
            "ENDPOINT",
            "HEALTH",
            "IN-FLIGHT",
            "UTIL",
            "LEASE LEFT");
    for (AgentInstance instance : instances) {
      table.row(
          instance.getInstanceId(),
          instance.getCard().getName(),
          instance.getCard().getVersion(),
          skills(instance),
          endpoint(instance.getEndpoint()),
          health(instance.getHealth()),
          Integer.toString(instance.getLoad().getInFlight()),
          utilization(instance),
          leaseLeft(instance, now));
    }
    return table;
  }

  /** Comma-separated skill ids. */
  static String skills(AgentInstance instance) {
    return String.join(",", instance.getCard().getSkillsList().stream().map(Skill::getId).toList());
  }

  /** {@code host:port}. */
  static String endpoint(Endpoint endpoint) {
    return endpoint.getHost() + ":" + endpoint.getPort();
  }

  /** {@code SERVING}, {@code NOT_SERVING}, {@code DRAINING}; {@code UNKNOWN} when unreported. */
  static String health(HealthState health) {
    return health == HealthState.HEALTH_STATE_UNSPECIFIED
        ? "UNKNOWN"
        : ProtoEnums.shortName(health, "HEALTH_STATE_");
  }

  /** Utilization with two decimals. */
  static String utilization(AgentInstance instance) {
    return String.format(Locale.ROOT, "%.2f", instance.getLoad().getUtilization());
  }

  /** Whole seconds until the lease expires ({@code 0s} when past), or empty when unknown. */
  static String leaseLeft(AgentInstance instance, Instant now) {
    if (!HumanFormat.isSet(instance.getLeaseExpireTime())) {
      return "";
    }
    Duration left = Duration.between(now, HumanFormat.instant(instance.getLeaseExpireTime()));
    long seconds = Math.max(0, (left.toMillis() + 999) / 1000);
    return seconds + "s";
  }
}
