package dev.meshwork.agent.internal;

import static java.util.Objects.requireNonNull;

import dev.meshwork.agent.SkillHandler;
import dev.meshwork.agent.SkillSpec;
import dev.meshwork.agent.StreamingSkillHandler;
import dev.meshwork.core.AuthorizationPolicy;
import dev.meshwork.core.MeshIdentity;
import java.util.Optional;

/**
 * A skill as the agent serves it: its spec, its handler (streaming ones adapt to unary calls) and
 * its own caller restriction.
 *
 * @param spec the card entry and caller restriction
 * @param handler the handler, as a streaming one
 * @param callers the restriction as a policy, empty when the skill has none
 */
public record RegisteredSkill(
    SkillSpec spec, StreamingSkillHandler handler, Optional<AuthorizationPolicy> callers) {

  /** Validates the parts. */
  public RegisteredSkill {
    requireNonNull(spec, "spec");
    requireNonNull(handler, "handler");
    requireNonNull(callers, "callers");
  }

  /** A unary skill. */
  public static RegisteredSkill unary(SkillSpec spec, SkillHandler handler) {
    requireNonNull(handler, "handler");
    return streaming(spec, (context, input, stream) -> handler.handle(context, input));
  }

  /** A streaming skill. */
  public static RegisteredSkill streaming(SkillSpec spec, StreamingSkillHandler handler) {
    Optional<AuthorizationPolicy> callers =
        spec.allowedCallers().isEmpty()
            ? Optional.empty()
            : Optional.of(
                AuthorizationPolicy.builder()
                    .allow("*", spec.allowedCallers().toArray(String[]::new))
                    .build());
    return new RegisteredSkill(spec, handler, callers);
  }

  /** The skill id. */
  public String id() {
    return spec.id();
  }

  /**
   * True when {@code caller} may call this skill (the agent's policy has let it through already).
   * Without an identity (insecure dev mode) there is nothing to check.
   */
  public boolean admits(Optional<MeshIdentity> caller, String fullMethod) {
    if (callers.isEmpty() || caller.isEmpty()) {
      return true;
    }
    return callers.get().allows(fullMethod, caller.get());
  }
}
