package dev.meshwork.agents.llm.internal;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import java.util.Set;

/**
 * One chat message.
 *
 * @param role {@code system}, {@code user} or {@code assistant}
 * @param content the text
 */
public record ChatMessage(String role, String content) {

  /** The roles a request may carry. */
  public static final Set<String> ROLES = Set.of("system", "user", "assistant");

  /** Validates the parts. */
  public ChatMessage {
    requireNonNull(role, "role");
    requireNonNull(content, "content");
    if (!ROLES.contains(role)) {
      throw new IllegalArgumentException(
          "role: '" + role + "' (expected: system, user or assistant)");
    }
  }

  Map<String, Object> toJson() {
    return Map.of("role", role, "content", content);
  }
}
