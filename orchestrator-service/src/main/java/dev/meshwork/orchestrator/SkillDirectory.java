package dev.meshwork.orchestrator;

/**
 * Tells whether any agent serves a skill, so that a workflow naming an unknown skill can be
 * rejected up front ({@code MISSING_SKILL_POLICY_REJECT}). The production implementation asks the
 * registry; tests use a fixed set.
 */
@FunctionalInterface
public interface SkillDirectory {

  /** A directory that knows every skill (nothing is ever rejected for a missing skill). */
  SkillDirectory ANY = skillId -> true;

  /**
   * True when at least one registered agent instance serves {@code skillId}.
   *
   * @throws dev.meshwork.core.MeshException {@code UNAVAILABLE} when the directory cannot tell
   */
  boolean has(String skillId);
}
