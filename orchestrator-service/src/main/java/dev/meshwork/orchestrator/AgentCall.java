package dev.meshwork.orchestrator;

import static java.util.Objects.requireNonNull;

import dev.meshwork.api.common.v1.Part;
import java.time.Duration;
import java.util.List;

/**
 * One call of a skill, as the engine hands it to an {@link AgentInvoker}.
 *
 * @param skillId the skill to call ({@code mesh:///skill/<skillId>})
 * @param input the rendered input parts
 * @param timeout the call's deadline, relative to now: min(step timeout, run budget left)
 * @param idempotencyKey stable across retries and re-dispatch after a crash: {@code
 *     <run_id>/<step_id>[/<item>]}, with {@code /fallback} or {@code /compensate} for those calls
 * @param attempt attempt number of the step, from 1
 * @param waitForReady wait (within the timeout) for an agent to appear instead of failing fast, for
 *     workflows whose missing-skill policy is WAIT
 */
public record AgentCall(
    String skillId,
    List<Part> input,
    Duration timeout,
    String idempotencyKey,
    int attempt,
    boolean waitForReady) {

  /** Validates the parts. */
  public AgentCall {
    requireNonNull(skillId, "skillId");
    input = List.copyOf(input);
    requireNonNull(timeout, "timeout");
    requireNonNull(idempotencyKey, "idempotencyKey");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout: " + timeout + " (expected: > 0)");
    }
    if (attempt < 1) {
      throw new IllegalArgumentException("attempt: " + attempt + " (expected: >= 1)");
    }
  }
}
