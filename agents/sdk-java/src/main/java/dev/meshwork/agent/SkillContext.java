package dev.meshwork.agent;

import dev.meshwork.core.MeshIdentity;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * What a skill handler knows about the call it serves: which skill, who called, how long it may
 * take, whether the caller is still waiting, and a {@link MeshClient} to call other skills with
 * this call's deadline and trace propagated.
 */
public interface SkillContext {

  /** The skill being called. */
  String skillId();

  /** The request's free-form metadata (correlation ids, hints). */
  Map<String, String> metadata();

  /** The stable key of this logical call ({@code <run_id>/<step_id>}), empty if none was sent. */
  String idempotencyKey();

  /** The caller's mesh identity; empty only on an insecure (plaintext dev) agent. */
  Optional<MeshIdentity> caller();

  /** When the caller stops waiting; empty when the call has no deadline. */
  Optional<Instant> deadline();

  /** The time left before the deadline (negative once passed); empty without a deadline. */
  Optional<Duration> timeRemaining();

  /** True once the caller cancelled or the deadline passed: the result would go nowhere. */
  boolean isCancelled();

  /**
   * Throws {@code MeshException} (CANCELLED or DEADLINE_EXCEEDED) when {@link #isCancelled()}: a
   * cheap checkpoint for loops.
   */
  void throwIfCancelled();

  /** A client for other skills in the mesh; calls inherit this call's deadline and trace. */
  MeshClient mesh();
}
