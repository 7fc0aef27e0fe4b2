package dev.meshwork.gateway.internal;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.function.LongSupplier;

/** A thread-safe token bucket: one token per request, refilled continuously. */
final class TokenBucket {

  private final RateLimit limit;
  private final LongSupplier nanoTime;
  private double tokens;
  private long refilledAt;

  TokenBucket(RateLimit limit, LongSupplier nanoTime) {
    this.limit = requireNonNull(limit, "limit");
    this.nanoTime = requireNonNull(nanoTime, "nanoTime");
    this.tokens = limit.burst();
    this.refilledAt = nanoTime.getAsLong();
  }

  /** Takes a token; returns zero when one was free, else how long until one will be. */
  synchronized Duration tryAcquire() {
    long now = nanoTime.getAsLong();
    tokens = Math.min(limit.burst(), tokens + (now - refilledAt) / 1e9 * limit.perSecond());
    refilledAt = now;
    if (tokens >= 1) {
      tokens -= 1;
      return Duration.ZERO;
    }
    return Duration.ofNanos((long) Math.ceil((1 - tokens) / limit.perSecond() * 1e9));
  }
}
