package dev.meshwork.cli.agents;

import dev.meshwork.api.registry.v1.AgentInstance;
import dev.meshwork.api.registry.v1.WatchAgentInstancesResponse;
import dev.meshwork.cli.output.ProtoEnums;
import java.time.Instant;

/**
 * One watch event as one line: {@code + ADDED}, {@code ~ UPDATED} or {@code - REMOVED (REASON)},
 * then the instance as {@code key=value} pairs, easy to read and to grep.
 */
final class WatchEventLine {

  private WatchEventLine() {}

  static String format(WatchAgentInstancesResponse event, Instant now) {
    AgentInstance instance = event.getInstance();
    String who =
        instance.getInstanceId()
            + " "
            + instance.getCard().getName()
            + "@"
            + InstanceView.endpoint(instance.getEndpoint());
    String revision = " rev=" + event.getRevision();
    return switch (event.getType()) {
      case WATCH_EVENT_TYPE_ADDED ->
          "+ ADDED "
              + who
              + " version="
              + dash(instance.getCard().getVersion())
              + " skills="
              + dash(InstanceView.skills(instance))
              + " health="
              + InstanceView.health(instance.getHealth())
              + revision;
      case WATCH_EVENT_TYPE_UPDATED ->
          "~ UPDATED "
              + who
              + " health="
              + InstanceView.health(instance.getHealth())
              + " in-flight="
              + instance.getLoad().getInFlight()
              + " util="
              + InstanceView.utilization(instance)
              + " lease-left="
              + dash(InstanceView.leaseLeft(instance, now))
              + revision;
      case WATCH_EVENT_TYPE_REMOVED ->
          "- REMOVED ("
              + ProtoEnums.shortName(event.getRemovalReason(), "REMOVAL_REASON_")
              + ") "
              + who
              + revision;
      default -> "? " + event.getType() + " " + who + revision;
    };
  }

  private static String dash(String value) {
    return value.isEmpty() ? "-" : value;
  }
}
