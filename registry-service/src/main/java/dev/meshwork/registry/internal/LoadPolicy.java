package dev.meshwork.registry.internal;

import dev.meshwork.api.registry.v1.Load;

/**
 * Decides when a load report is worth a watch event. Renewals arrive every few seconds from every
 * instance; publishing each would flood watchers with changes nobody acts on. A report is
 * published when the in-flight count differs from the last published one or utilization moved by
 * at least {@link #UTILIZATION_STEP} since then (so slow drifts are published once they add up).
 */
final class LoadPolicy {

  /** The utilization change that makes a load report worth an event. */
  static final double UTILIZATION_STEP = 0.05;

  // 0.30 - 0.25 is 0.04999999999999999 in binary floating point.
  private static final double EPSILON = 1e-9;

  private LoadPolicy() {}

  static boolean isSignificant(Load published, Load reported) {
    return published.getInFlight() != reported.getInFlight()
        || Math.abs(published.getUtilization() - reported.getUtilization())
            >= UTILIZATION_STEP - EPSILON;
  }
}
