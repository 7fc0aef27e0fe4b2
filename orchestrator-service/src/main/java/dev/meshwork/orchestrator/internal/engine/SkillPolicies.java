package dev.meshwork.orchestrator.internal.engine;

import static java.util.Objects.requireNonNull;

import dev.failsafe.Bulkhead;
import dev.failsafe.CircuitBreaker;
import dev.meshwork.orchestrator.AgentResult;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.logging.Logger;

/**
 * The per-skill Failsafe policies shared by every run: a {@link Bulkhead} (how many calls of the
 * skill run at once) and a {@link CircuitBreaker} (stop calling a skill that keeps failing, try
 * again after a delay). Created on first use.
 */
final class SkillPolicies {

  private static final Logger LOG = Logger.getLogger(SkillPolicies.class.getName());

  private final EngineConfig config;
  private final Map<String, Bulkhead<AgentResult>> bulkheads = new ConcurrentHashMap<>();
  private final Map<String, CircuitBreaker<AgentResult>> breakers = new ConcurrentHashMap<>();

  SkillPolicies(EngineConfig config) {
    this.config = requireNonNull(config, "config");
  }

  Bulkhead<AgentResult> bulkhead(String skill) {
    return bulkheads.computeIfAbsent(skill, s -> Bulkhead.of(config.skillConcurrency()));
  }

  CircuitBreaker<AgentResult> breaker(String skill) {
    return breakers.computeIfAbsent(
        skill,
        s ->
            CircuitBreaker.<AgentResult>builder()
                // Only failures that say something about the skill's health count; a bad input
                // (INVALID_ARGUMENT) or a cancelled run does not.
                .handleIf(
                    (result, failure) -> failure != null && StepErrors.countsForBreaker(failure))
                .withFailureThreshold(config.breakerFailureThreshold(), config.breakerWindow())
                .withSuccessThreshold(1)
                .withDelay(config.breakerDelay())
                .onOpen(e -> LOG.warning("circuit breaker of skill '" + s + "' opened"))
                .onHalfOpen(e -> LOG.info("circuit breaker of skill '" + s + "' half-open"))
                .onClose(e -> LOG.info("circuit breaker of skill '" + s + "' closed"))
                .build());
  }

  /** Tells {@code action} the current state of every breaker created so far. */
  void forEachBreaker(BiConsumer<String, CircuitBreaker.State> action) {
    breakers.forEach((skill, breaker) -> action.accept(skill, breaker.getState()));
  }

  /** The state of the skill's breaker, for spans of rejected calls. */
  CircuitBreaker.State breakerState(String skill) {
    CircuitBreaker<AgentResult> breaker = breakers.get(skill);
    return breaker == null ? CircuitBreaker.State.CLOSED : breaker.getState();
  }
}
