package dev.meshwork.registry.internal;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs {@link InstanceRegistry#expireLeases()} periodically on its own daemon thread. The interval
 * bounds how late an expired instance disappears from listings and watches.
 */
public final class LeaseSweeper implements AutoCloseable {

  /** The default sweep interval. */
  public static final Duration DEFAULT_INTERVAL = Duration.ofMillis(500);

  private static final Logger LOG = Logger.getLogger(LeaseSweeper.class.getName());

  private final ScheduledExecutorService scheduler;

  private LeaseSweeper(ScheduledExecutorService scheduler) {
    this.scheduler = scheduler;
  }

  /** Starts sweeping {@code registry} every {@code interval}. */
  public static LeaseSweeper start(InstanceRegistry registry, Duration interval) {
    requireNonNull(registry, "registry");
    requireNonNull(interval, "interval");
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("interval: " + interval + " (expected: > 0)");
    }
    ScheduledExecutorService scheduler =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "registry-lease-sweeper");
              thread.setDaemon(true);
              return thread;
            });
    long millis = Math.max(1, interval.toMillis());
    scheduler.scheduleWithFixedDelay(
        () -> sweep(registry), millis, millis, TimeUnit.MILLISECONDS);
    return new LeaseSweeper(scheduler);
  }

  private static void sweep(InstanceRegistry registry) {
    try {
      int expired = registry.expireLeases();
      if (expired > 0) {
        LOG.fine(() -> "expired " + expired + " lease(s)");
      }
    } catch (RuntimeException e) {
      // An exception would cancel the schedule; keep sweeping.
      LOG.log(Level.WARNING, "lease sweep failed", e);
    }
  }

  /** Stops sweeping. */
  @Override
  public void close() {
    scheduler.shutdownNow();
  }
}
