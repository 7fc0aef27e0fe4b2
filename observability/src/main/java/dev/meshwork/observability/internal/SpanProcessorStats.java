package dev.meshwork.observability.internal;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.data.MetricDataType;
import java.util.Collection;

/**
 * Reads the batch span processor's self-observability counter. The SDK reports it under one of two
 * names depending on {@code otel.experimental.sdk.telemetry.version}: the legacy {@code
 * processedSpans{dropped=true|false}} (the default) or the semantic-convention {@code
 * otel.sdk.processor.span.processed{error.type=...}}; both are understood.
 */
public final class SpanProcessorStats {

  static final String LEGACY_NAME = "processedSpans";
  static final String SEMCONV_NAME = "otel.sdk.processor.span.processed";
  private static final AttributeKey<Boolean> DROPPED = AttributeKey.booleanKey("dropped");
  private static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");

  private SpanProcessorStats() {}

  /** Spans the processor dropped (queue full, or ended after shutdown) since start. */
  public static long droppedSpans(Collection<MetricData> metrics) {
    return sum(metrics, true);
  }

  /** Spans the processor handed on for export since start. */
  public static long processedSpans(Collection<MetricData> metrics) {
    return sum(metrics, false);
  }

  private static long sum(Collection<MetricData> metrics, boolean wantDropped) {
    long total = 0;
    for (MetricData metric : metrics) {
      boolean legacy = metric.getName().equals(LEGACY_NAME);
      if (metric.getType() != MetricDataType.LONG_SUM
          || (!legacy && !metric.getName().equals(SEMCONV_NAME))) {
        continue;
      }
      for (LongPointData point : metric.getLongSumData().getPoints()) {
        if (isDropped(point.getAttributes(), legacy) == wantDropped) {
          total += point.getValue();
        }
      }
    }
    return total;
  }

  private static boolean isDropped(Attributes attributes, boolean legacy) {
    return legacy
        ? Boolean.TRUE.equals(attributes.get(DROPPED))
        : attributes.get(ERROR_TYPE) != null;
  }
}
