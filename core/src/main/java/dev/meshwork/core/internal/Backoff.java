package dev.meshwork.core.internal;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with jitter for reconnect loops: {@code initial}, then times 1.6 per attempt
 * up to {@code max}, each delay spread by +/-20% so that many clients losing the same server do
 * not come back in lockstep. Not thread-safe.
 */
public final class Backoff {

  private static final double MULTIPLIER = 1.6;
  private static final double JITTER = 0.2;

  private final Duration initial;
  private final Duration max;
  private double nextNanos;

  /** A backoff from {@code initial} up to {@code max}. */
  public Backoff(Duration initial, Duration max) {
    this.initial = requireNonNull(initial, "initial");
    this.max = requireNonNull(max, "max");
    if (initial.isNegative() || initial.isZero()) {
      throw new IllegalArgumentException("initial: " + initial + " (expected: > 0)");
    }
    if (max.compareTo(initial) < 0) {
      throw new IllegalArgumentException("max: " + max + " (expected: >= initial " + initial + ")");
    }
    reset();
  }

  /** The delay before the next attempt; each call grows the following one. */
  public Duration nextDelay() {
    double base = nextNanos;
    nextNanos = Math.min(nextNanos * MULTIPLIER, max.toNanos());
    double jitter = 1 + JITTER * (2 * ThreadLocalRandom.current().nextDouble() - 1);
    return Duration.ofNanos((long) (base * jitter));
  }

  /** Starts over from the initial delay (after a success). */
  public void reset() {
    nextNanos = initial.toNanos();
  }
}
