package dev.meshwork.observability.internal;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.Aggregation;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.export.CollectionRegistration;
import io.opentelemetry.sdk.metrics.export.MetricReader;
import java.util.Collection;

/**
 * A metric reader that collects only when asked, so the process can read its own counters (the
 * span processor's dropped spans) without a Prometheus endpoint or a collector.
 *
 * <p>Every reader keeps its own aggregation state, paid on each measurement; this one aggregates
 * only monotonic counters (and asynchronous instruments, which cost nothing until collected) and
 * drops histograms and the rest, so per-call RPC duration histograms are not recorded twice.
 */
public final class OnDemandMetricReader implements MetricReader {

  private volatile CollectionRegistration registration = CollectionRegistration.noop();

  @Override
  public void register(CollectionRegistration registration) {
    this.registration = registration;
  }

  @Override
  public AggregationTemporality getAggregationTemporality(InstrumentType instrumentType) {
    return AggregationTemporality.CUMULATIVE;
  }

  @Override
  public Aggregation getDefaultAggregation(InstrumentType instrumentType) {
    switch (instrumentType) {
      case COUNTER:
      case OBSERVABLE_COUNTER:
      case OBSERVABLE_UP_DOWN_COUNTER:
      case OBSERVABLE_GAUGE:
        return Aggregation.defaultAggregation();
      default:
        return Aggregation.drop();
    }
  }

  /** The current values of the kept instruments; empty before registration and after shutdown. */
  public Collection<MetricData> collect() {
    return registration.collectAllMetrics();
  }

  @Override
  public CompletableResultCode forceFlush() {
    return CompletableResultCode.ofSuccess();
  }

  @Override
  public CompletableResultCode shutdown() {
    registration = CollectionRegistration.noop();
    return CompletableResultCode.ofSuccess();
  }
}
