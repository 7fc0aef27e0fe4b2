package dev.meshwork.gateway.internal;

/**
 * A token bucket's shape: refilled at {@code perSecond}, holding at most {@code burst} tokens.
 *
 * @param perSecond sustained requests per second, > 0
 * @param burst requests allowed at once, >= 1
 */
public record RateLimit(double perSecond, int burst) {

  /** What a key without its own limit gets. */
  public static final RateLimit DEFAULT = new RateLimit(50, 100);

  /** Validates the parts. */
  public RateLimit {
    if (!(perSecond > 0) || Double.isInfinite(perSecond)) {
      throw new IllegalArgumentException("rate: " + perSecond + " (expected: > 0)");
    }
    if (burst < 1) {
      throw new IllegalArgumentException("burst: " + burst + " (expected: >= 1)");
    }
  }
}
