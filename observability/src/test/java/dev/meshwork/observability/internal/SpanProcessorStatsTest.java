package dev.meshwork.observability.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import org.junit.jupiter.api.Test;

class SpanProcessorStatsTest {

  private final InMemoryMetricReader reader = InMemoryMetricReader.create();
  private final SdkMeterProvider meters =
      SdkMeterProvider.builder().registerMetricReader(reader).build();

  @Test
  void droppedSpans_legacyCounter_sumsDroppedTrueOnly() {
    var processed =
        meters.get("io.opentelemetry.sdk.trace").counterBuilder("processedSpans").build();
    processed.add(5, Attributes.of(AttributeKey.booleanKey("dropped"), true));
    processed.add(100, Attributes.of(AttributeKey.booleanKey("dropped"), false));

    assertThat(SpanProcessorStats.droppedSpans(reader.collectAllMetrics())).isEqualTo(5);
    assertThat(SpanProcessorStats.processedSpans(reader.collectAllMetrics())).isEqualTo(100);
  }

  @Test
  void droppedSpans_semconvCounter_sumsPointsWithErrorType() {
    var processed =
        meters
            .get("io.opentelemetry.sdk.trace")
            .counterBuilder("otel.sdk.processor.span.processed")
            .build();
    processed.add(3, Attributes.of(AttributeKey.stringKey("error.type"), "queue_full"));
    processed.add(40, Attributes.empty());

    assertThat(SpanProcessorStats.droppedSpans(reader.collectAllMetrics())).isEqualTo(3);
    assertThat(SpanProcessorStats.processedSpans(reader.collectAllMetrics())).isEqualTo(40);
  }

  @Test
  void droppedSpans_noProcessorMetrics_isZero() {
    assertThat(SpanProcessorStats.droppedSpans(reader.collectAllMetrics())).isZero();
  }
}
