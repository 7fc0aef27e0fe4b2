package dev.meshwork.agent.internal;

import dev.meshwork.api.registry.v1.Load;
import io.grpc.services.MetricRecorder;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.DoubleSupplier;

/**
 * This agent's load: calls in flight, calls per second, utilization. It feeds both consumers of
 * load: clients' weighted round robin, through the ORCA {@link MetricRecorder} attached to every
 * response, and the registry, through {@link #load()} in each lease renewal.
 *
 * <p>Utilization is the agent's own measure when it provides one (for example a model server's
 * queue fill), else the process CPU load.
 */
public final class LoadTracker {

  private final AtomicInteger inFlight = new AtomicInteger();
  private final LongAdder finished = new LongAdder();
  private final DoubleSupplier customUtilization;
  private final MetricRecorder recorder = MetricRecorder.newInstance();
  private long lastFinished;
  private long lastTickNanos = System.nanoTime();
  private volatile double qps;

  /** A tracker using {@code customUtilization} (null for process CPU load). */
  public LoadTracker(DoubleSupplier customUtilization) {
    this.customUtilization = customUtilization;
  }

  /** Counts a call as started. */
  public void callStarted() {
    inFlight.incrementAndGet();
  }

  /** Counts a call as finished. */
  public void callFinished() {
    inFlight.decrementAndGet();
    finished.increment();
  }

  /** Calls being served now. */
  public int inFlight() {
    return inFlight.get();
  }

  /** Calls finished per second, as of the last {@link #tick()}. */
  public double qps() {
    return qps;
  }

  /** Utilization in [0, 1]. */
  public double utilization() {
    double value = customUtilization != null ? customUtilization.getAsDouble() : processCpuLoad();
    if (Double.isNaN(value) || value < 0) {
      return 0;
    }
    return Math.min(value, 1);
  }

  /** The server-wide ORCA metrics every response reports. */
  public MetricRecorder recorder() {
    return recorder;
  }

  /** The load to report to the registry. */
  public Load load() {
    return Load.newBuilder().setInFlight(inFlight()).setUtilization(utilization()).build();
  }

  /**
   * Recomputes calls per second and refreshes the ORCA metrics; call about once a second from one
   * thread.
   */
  public synchronized void tick() {
    long now = System.nanoTime();
    long total = finished.sum();
    double seconds = (now - lastTickNanos) / 1e9;
    if (seconds > 0) {
      qps = (total - lastFinished) / seconds;
    }
    lastFinished = total;
    lastTickNanos = now;
    recorder.setQpsMetric(qps);
    double cpu = processCpuLoad();
    if (cpu >= 0) {
      recorder.setCpuUtilizationMetric(cpu);
    }
    if (customUtilization != null) {
      // Weighted round robin prefers application utilization over CPU when it is set.
      recorder.setApplicationUtilizationMetric(utilization());
    }
  }

  private static double processCpuLoad() {
    OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean hotspot) {
      return hotspot.getProcessCpuLoad();
    }
    return -1;
  }
}
