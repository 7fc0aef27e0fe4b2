package dev.meshwork.orchestrator.internal.workflow;

import static java.util.Objects.requireNonNull;

import dev.meshwork.api.orchestrator.v1.RetryPolicy;
import dev.meshwork.api.orchestrator.v1.Step;
import dev.meshwork.api.orchestrator.v1.WorkflowSpec;
import dev.meshwork.orchestrator.internal.ProtoTime;
import java.time.Duration;
import java.util.Set;

/**
 * A step's effective retry policy: the step's own, else the workflow's default, with every zero
 * field replaced by its documented default.
 *
 * @param maxAttempts attempts in all, including the first (>= 1)
 * @param initialBackoff delay before the second attempt
 * @param maxBackoff upper bound of a delay
 * @param multiplier growth factor of the delay (>= 1)
 * @param jitter random spread of each delay, in [0, 1]
 * @param retryableCodes gRPC code names that are retried
 */
public record RetrySettings(
    int maxAttempts,
    Duration initialBackoff,
    Duration maxBackoff,
    double multiplier,
    double jitter,
    Set<String> retryableCodes) {

  /** Codes retried when a policy names none. */
  public static final Set<String> DEFAULT_CODES =
      Set.of("UNAVAILABLE", "DEADLINE_EXCEEDED", "RESOURCE_EXHAUSTED", "ABORTED");

  /** Every gRPC status code name but OK. */
  public static final Set<String> ALL_CODES =
      Set.of(
          "CANCELLED",
          "UNKNOWN",
          "INVALID_ARGUMENT",
          "DEADLINE_EXCEEDED",
          "NOT_FOUND",
          "ALREADY_EXISTS",
          "PERMISSION_DENIED",
          "RESOURCE_EXHAUSTED",
          "FAILED_PRECONDITION",
          "ABORTED",
          "OUT_OF_RANGE",
          "UNIMPLEMENTED",
          "INTERNAL",
          "UNAVAILABLE",
          "DATA_LOSS",
          "UNAUTHENTICATED");

  /** Validates the parts. */
  public RetrySettings {
    requireNonNull(initialBackoff, "initialBackoff");
    requireNonNull(maxBackoff, "maxBackoff");
    retryableCodes = Set.copyOf(retryableCodes);
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts: " + maxAttempts + " (expected: >= 1)");
    }
    if (multiplier < 1) {
      throw new IllegalArgumentException("multiplier: " + multiplier + " (expected: >= 1)");
    }
    if (jitter < 0 || jitter > 1) {
      throw new IllegalArgumentException("jitter: " + jitter + " (expected: 0..1)");
    }
  }

  /** The effective policy of {@code step} in {@code workflow}. */
  public static RetrySettings of(Step step, WorkflowSpec workflow) {
    if (step.hasRetry()) {
      return of(step.getRetry());
    }
    return of(workflow.getDefaultRetry());
  }

  /** {@code policy} with its zero fields defaulted. */
  public static RetrySettings of(RetryPolicy policy) {
    return new RetrySettings(
        policy.getMaxAttempts() == 0 ? 3 : policy.getMaxAttempts(),
        orDefault(policy.getInitialBackoff(), Duration.ofMillis(200)),
        orDefault(policy.getMaxBackoff(), Duration.ofSeconds(10)),
        policy.getMultiplier() == 0 ? 2 : policy.getMultiplier(),
        policy.getJitter() == 0 ? 0.2 : policy.getJitter(),
        policy.getRetryableCodesCount() == 0
            ? DEFAULT_CODES
            : Set.copyOf(policy.getRetryableCodesList()));
  }

  /**
   * The delay before attempt {@code attempt + 1} (attempt counted from 1), before jitter: {@code
   * initialBackoff * multiplier^(attempt-1)}, capped at {@code maxBackoff}.
   */
  public Duration baseDelay(int attempt) {
    double nanos = initialBackoff.toNanos() * Math.pow(multiplier, Math.max(0, attempt - 1));
    long capped = (long) Math.min(nanos, maxBackoff.toNanos());
    return Duration.ofNanos(capped);
  }

  /**
   * The jittered delay: the base delay spread by {@code jitter} in either direction; {@code u} is a
   * uniform random number in [0, 1).
   */
  public Duration delay(int attempt, double u) {
    long base = baseDelay(attempt).toNanos();
    double factor = 1 + jitter * (2 * u - 1);
    return Duration.ofNanos(Math.max(0, (long) (base * factor)));
  }

  private static Duration orDefault(com.google.protobuf.Duration d, Duration fallback) {
    Duration value = ProtoTime.toJava(d);
    return value.isZero() ? fallback : value;
  }
}
