package dev.meshwork.orchestrator.internal.engine;

import dev.failsafe.BulkheadFullException;
import dev.failsafe.CircuitBreakerOpenException;
import dev.meshwork.api.orchestrator.v1.StepError;
import dev.meshwork.orchestrator.AgentCallException;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Classifies call failures: the {@link StepError} they are recorded as, and how they count. */
final class StepErrors {

  /** Codes that say a skill is unhealthy, so its breaker counts them. */
  private static final Set<String> BREAKER_CODES =
      Set.of(
          "UNAVAILABLE",
          "DEADLINE_EXCEEDED",
          "INTERNAL",
          "UNKNOWN",
          "RESOURCE_EXHAUSTED",
          "UNIMPLEMENTED",
          "DATA_LOSS");

  private StepErrors() {}

  /** The failure behind wrapper exceptions. */
  static Throwable unwrap(Throwable failure) {
    Throwable t = failure;
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** The gRPC code name a failure stands for. */
  static String code(Throwable failure) {
    Throwable t = unwrap(failure);
    if (t instanceof AgentCallException e) {
      return e.code();
    }
    if (t instanceof CircuitBreakerOpenException) {
      return "UNAVAILABLE";
    }
    if (t instanceof AttemptTimeoutException || t instanceof RunBudgetExhaustedException) {
      return "DEADLINE_EXCEEDED";
    }
    if (t instanceof CancellationException) {
      return "CANCELLED";
    }
    if (t instanceof BulkheadFullException) {
      return "RESOURCE_EXHAUSTED";
    }
    return "INTERNAL";
  }

  /** The step error a failure is recorded as. */
  static StepError toStepError(Throwable failure, int attempts) {
    Throwable t = unwrap(failure);
    String reason;
    String message;
    if (t instanceof AgentCallException e) {
      reason = e.reason().isEmpty() ? e.code() : e.reason();
      message = e.getMessage();
    } else if (t instanceof CircuitBreakerOpenException) {
      reason = "CIRCUIT_OPEN";
      message = "the skill's circuit breaker is open after repeated failures; not called";
    } else if (t instanceof AttemptTimeoutException) {
      reason = "STEP_TIMEOUT";
      message = t.getMessage();
    } else if (t instanceof RunBudgetExhaustedException) {
      reason = "RUN_DEADLINE_EXCEEDED";
      message = t.getMessage();
    } else if (t instanceof CancellationException) {
      reason = "CANCELLED";
      message = "cancelled";
    } else {
      reason = "INTERNAL";
      message = String.valueOf(t);
    }
    return StepError.newBuilder()
        .setCode(code(t))
        .setReason(reason)
        .setMessage(message == null ? "" : message)
        .setAttempts(attempts)
        .build();
  }

  /** True when a failure says the skill is unhealthy. */
  static boolean countsForBreaker(Throwable failure) {
    Throwable t = unwrap(failure);
    if (t instanceof AttemptTimeoutException) {
      return true;
    }
    return t instanceof AgentCallException e && BREAKER_CODES.contains(e.code());
  }

  /** A step error made up by the engine. */
  static StepError of(String code, String reason, String message) {
    return StepError.newBuilder().setCode(code).setReason(reason).setMessage(message).build();
  }
}
