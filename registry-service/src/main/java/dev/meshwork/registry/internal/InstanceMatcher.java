package dev.meshwork.registry.internal;

import dev.meshwork.api.common.v1.AgentCard;
import dev.meshwork.api.common.v1.Skill;
import dev.meshwork.api.registry.v1.AgentInstance;
import dev.meshwork.api.registry.v1.HealthState;
import dev.meshwork.api.registry.v1.InstanceFilter;
import dev.meshwork.core.MeshException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * An {@link InstanceFilter} ready to test instances: empty fields match everything, set fields must
 * all match, and the label selector matches when the card has every listed key/value pair.
 */
final class InstanceMatcher {

  private final String skillId;
  private final String agentName;
  private final Map<String, String> labels;
  private final HealthState health;

  private InstanceMatcher(InstanceFilter filter) {
    this.skillId = filter.getSkillId();
    this.agentName = filter.getAgentName();
    this.labels = new TreeMap<>(filter.getLabelsMap());
    this.health = filter.getHealth();
  }

  /**
   * A matcher for {@code filter}.
   *
   * @throws MeshException {@code INVALID_ARGUMENT} for an unknown health value
   */
  static InstanceMatcher of(InstanceFilter filter) {
    if (filter.getHealth() == HealthState.UNRECOGNIZED) {
      throw MeshException.invalidArgument(
          "filter.health", filter.getHealthValue() + " (expected: a HealthState)");
    }
    return new InstanceMatcher(filter);
  }

  boolean matches(AgentInstance instance) {
    AgentCard card = instance.getCard();
    if (!agentName.isEmpty() && !agentName.equals(card.getName())) {
      return false;
    }
    if (health != HealthState.HEALTH_STATE_UNSPECIFIED && health != instance.getHealth()) {
      return false;
    }
    if (!skillId.isEmpty() && !hasSkill(card, skillId)) {
      return false;
    }
    for (Map.Entry<String, String> label : labels.entrySet()) {
      if (!label.getValue().equals(card.getLabelsMap().get(label.getKey()))) {
        return false;
      }
    }
    return true;
  }

  /**
   * A short digest of the filter, so a page token is only accepted with the filter it was issued
   * for.
   */
  String fingerprint() {
    StringBuilder canonical =
        new StringBuilder()
            .append(skillId)
            .append('\0')
            .append(agentName)
            .append('\0')
            .append(health.getNumber());
    labels.forEach((k, v) -> canonical.append('\0').append(k).append('=').append(v));
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(canonical.toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      // Every Java platform must provide SHA-256.
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }

  private static boolean hasSkill(AgentCard card, String id) {
    for (Skill skill : card.getSkillsList()) {
      if (skill.getId().equals(id)) {
        return true;
      }
    }
    return false;
  }
}
