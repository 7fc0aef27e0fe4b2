package dev.meshwork.bench;

import java.util.Arrays;

/** Collects latency samples (nanoseconds) from many threads and reports percentiles. */
final class Latencies {

  private long[] samples = new long[1024];
  private int count;

  /** Adds one sample. */
  synchronized void add(long nanos) {
    if (count == samples.length) {
      samples = Arrays.copyOf(samples, count * 2);
    }
    samples[count++] = nanos;
  }

  /** A copy of the samples (nanoseconds), in the order added. */
  synchronized long[] samples() {
    return Arrays.copyOf(samples, count);
  }

  synchronized int count() {
    return count;
  }

  /** The {@code p}-th percentile in milliseconds (p in 0..100); NaN when empty. */
  synchronized double percentileMillis(double p) {
    if (count == 0) {
      return Double.NaN;
    }
    long[] sorted = Arrays.copyOf(samples, count);
    Arrays.sort(sorted);
    int index = (int) Math.ceil(p / 100.0 * count) - 1;
    return sorted[Math.max(0, Math.min(count - 1, index))] / 1e6;
  }
}
