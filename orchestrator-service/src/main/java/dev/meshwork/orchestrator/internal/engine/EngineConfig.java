package dev.meshwork.orchestrator.internal.engine;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * Limits and timings of the engine. Build with {@link #builder()}; every value is checked.
 *
 * @param maxInFlight agent calls running at once, over all skills
 * @param skillConcurrency agent calls of one skill running at once (its bulkhead)
 * @param maxPendingWork queued plus running calls above which StartRun answers RESOURCE_EXHAUSTED
 * @param maxActiveRuns non-terminal runs above which StartRun answers RESOURCE_EXHAUSTED
 * @param retryAfter the retry delay given with RESOURCE_EXHAUSTED
 * @param defaultRunTimeout a run's budget when neither StartRun nor the workflow sets one
 * @param defaultStepTimeout a step attempt's timeout when the step sets none
 * @param minAttemptBudget no attempt starts with less run budget left than this
 * @param compensationTimeout budget of one compensation call (compensations run after the run's
 *     deadline too)
 * @param breakerFailureThreshold failed step executions out of {@code breakerWindow} that open a
 *     skill's breaker
 * @param breakerWindow the number of recent executions the threshold counts over
 * @param breakerDelay how long a breaker stays open before letting a trial call through
 * @param workerThreads threads that run dispatched work and timers
 */
public record EngineConfig(
    int maxInFlight,
    int skillConcurrency,
    int maxPendingWork,
    int maxActiveRuns,
    Duration retryAfter,
    Duration defaultRunTimeout,
    Duration defaultStepTimeout,
    Duration minAttemptBudget,
    Duration compensationTimeout,
    int breakerFailureThreshold,
    int breakerWindow,
    Duration breakerDelay,
    int workerThreads) {

  /** Validates every value. */
  public EngineConfig {
    positive("maxInFlight", maxInFlight);
    positive("skillConcurrency", skillConcurrency);
    positive("maxPendingWork", maxPendingWork);
    positive("maxActiveRuns", maxActiveRuns);
    positive("retryAfter", retryAfter);
    positive("defaultRunTimeout", defaultRunTimeout);
    positive("defaultStepTimeout", defaultStepTimeout);
    requireNonNull(minAttemptBudget, "minAttemptBudget");
    if (minAttemptBudget.isNegative()) {
      throw new IllegalArgumentException(
          "minAttemptBudget: " + minAttemptBudget + " (expected: >= 0)");
    }
    positive("compensationTimeout", compensationTimeout);
    positive("breakerFailureThreshold", breakerFailureThreshold);
    if (breakerWindow < breakerFailureThreshold) {
      throw new IllegalArgumentException(
          "breakerWindow: "
              + breakerWindow
              + " (expected: >= breakerFailureThreshold "
              + breakerFailureThreshold
              + ")");
    }
    positive("breakerDelay", breakerDelay);
    positive("workerThreads", workerThreads);
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  private static void positive(String name, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
    }
  }

  private static void positive(String name, Duration value) {
    requireNonNull(value, name);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
    }
  }

  /** Builds an {@link EngineConfig}; starts from production defaults. */
  public static final class Builder {
    private int maxInFlight = 256;
    private int skillConcurrency = 64;
    private int maxPendingWork = 10_000;
    private int maxActiveRuns = 10_000;
    private Duration retryAfter = Duration.ofSeconds(1);
    private Duration defaultRunTimeout = Duration.ofMinutes(10);
    private Duration defaultStepTimeout = Duration.ofSeconds(30);
    private Duration minAttemptBudget = Duration.ofMillis(50);
    private Duration compensationTimeout = Duration.ofSeconds(30);
    private int breakerFailureThreshold = 5;
    private int breakerWindow = 10;
    private Duration breakerDelay = Duration.ofSeconds(30);
    private int workerThreads = Math.max(4, Runtime.getRuntime().availableProcessors() * 2);

    private Builder() {}

    /** Agent calls running at once (default 256). */
    public Builder maxInFlight(int value) {
      this.maxInFlight = value;
      return this;
    }

    /** Agent calls of one skill running at once (default 64). */
    public Builder skillConcurrency(int value) {
      this.skillConcurrency = value;
      return this;
    }

    /** Queued plus running calls that saturate the engine (default 10000). */
    public Builder maxPendingWork(int value) {
      this.maxPendingWork = value;
      return this;
    }

    /** Non-terminal runs that saturate the engine (default 10000). */
    public Builder maxActiveRuns(int value) {
      this.maxActiveRuns = value;
      return this;
    }

    /** Retry delay sent with RESOURCE_EXHAUSTED (default 1s). */
    public Builder retryAfter(Duration value) {
      this.retryAfter = value;
      return this;
    }

    /** Run budget when none is set (default 10m). */
    public Builder defaultRunTimeout(Duration value) {
      this.defaultRunTimeout = value;
      return this;
    }

    /** Step attempt timeout when none is set (default 30s). */
    public Builder defaultStepTimeout(Duration value) {
      this.defaultStepTimeout = value;
      return this;
    }

    /** Least run budget an attempt may start with (default 50ms). */
    public Builder minAttemptBudget(Duration value) {
      this.minAttemptBudget = value;
      return this;
    }

    /** Budget of one compensation call (default 30s). */
    public Builder compensationTimeout(Duration value) {
      this.compensationTimeout = value;
      return this;
    }

    /** Breaker: {@code failures} failed executions out of the last {@code window} open it. */
    public Builder breakerThreshold(int failures, int window) {
      this.breakerFailureThreshold = failures;
      this.breakerWindow = window;
      return this;
    }

    /** How long a breaker stays open (default 30s). */
    public Builder breakerDelay(Duration value) {
      this.breakerDelay = value;
      return this;
    }

    /** Threads for dispatched work and timers (default 2 per CPU, at least 4). */
    public Builder workerThreads(int value) {
      this.workerThreads = value;
      return this;
    }

    /**
     * The configuration.
     *
     * @throws IllegalArgumentException naming the first bad value
     */
    public EngineConfig build() {
      return new EngineConfig(
          maxInFlight,
          skillConcurrency,
          maxPendingWork,
          maxActiveRuns,
          retryAfter,
          defaultRunTimeout,
          defaultStepTimeout,
          minAttemptBudget,
          compensationTimeout,
          breakerFailureThreshold,
          breakerWindow,
          breakerDelay,
          workerThreads);
    }
  }
}
