package dev.meshwork.observability;

import static java.util.Objects.requireNonNull;

import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.LongUpDownCounter;
import io.opentelemetry.api.metrics.ObservableLongGauge;
import io.opentelemetry.api.metrics.ObservableLongMeasurement;
import java.util.List;
import java.util.function.Consumer;

/**
 * Creates Meshwork's own instruments on {@link MeshTelemetry#meter()} with consistent units: names
 * are dotted and lower case ({@code meshwork.runs}, {@code meshwork.step.duration}), durations are
 * histograms in seconds. Create instruments once (in a constructor), after {@link
 * MeshTelemetry#init}, and record with {@link MeshAttributes} keys.
 *
 * <pre>{@code
 * LongCounter runs = MeshMetrics.counter("meshwork.runs", "Runs finished, by outcome", "{run}");
 * runs.add(1, Attributes.of(MeshAttributes.OUTCOME, "COMPLETED"));
 * }</pre>
 */
public final class MeshMetrics {

  /**
   * Bucket boundaries in seconds from 5 ms to 10 minutes: the SDK's default boundaries are meant
   * for milliseconds and would put every sub-second step into the first bucket.
   */
  public static final List<Double> DURATION_BUCKETS_SECONDS =
      List.of(
          0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0,
          600.0);

  private MeshMetrics() {}

  /** A monotonic counter; {@code unit} in UCUM, for example {@code {run}} or {@code By}. */
  public static LongCounter counter(String name, String description, String unit) {
    return MeshTelemetry.meter()
        .counterBuilder(requireNonNull(name, "name"))
        .setDescription(requireNonNull(description, "description"))
        .setUnit(requireNonNull(unit, "unit"))
        .build();
  }

  /** A counter that goes up and down, for example calls in flight. */
  public static LongUpDownCounter upDownCounter(String name, String description, String unit) {
    return MeshTelemetry.meter()
        .upDownCounterBuilder(requireNonNull(name, "name"))
        .setDescription(requireNonNull(description, "description"))
        .setUnit(requireNonNull(unit, "unit"))
        .build();
  }

  /** A duration histogram in seconds with {@link #DURATION_BUCKETS_SECONDS}. */
  public static DoubleHistogram durationHistogram(String name, String description) {
    return MeshTelemetry.meter()
        .histogramBuilder(requireNonNull(name, "name"))
        .setDescription(requireNonNull(description, "description"))
        .setUnit("s")
        .setExplicitBucketBoundariesAdvice(DURATION_BUCKETS_SECONDS)
        .build();
  }

  /**
   * A gauge read at each collection: {@code callback} records the current value(s), one per
   * attribute set (for example one breaker state per skill). Close the returned gauge to stop.
   */
  public static ObservableLongGauge gauge(
      String name, String description, String unit, Consumer<ObservableLongMeasurement> callback) {
    return MeshTelemetry.meter()
        .gaugeBuilder(requireNonNull(name, "name"))
        .setDescription(requireNonNull(description, "description"))
        .setUnit(requireNonNull(unit, "unit"))
        .ofLongs()
        .buildWithCallback(requireNonNull(callback, "callback"));
  }
}
