package dev.meshwork.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.meshwork.observability.testing.InMemoryTelemetry;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.ObservableLongGauge;
import io.opentelemetry.sdk.metrics.data.MetricData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class MeshMetricsTest {

  @RegisterExtension final InMemoryTelemetry telemetry = new InMemoryTelemetry();

  @Test
  void counter_addWithOutcome_recordsSumPerOutcome() {
    var runs = MeshMetrics.counter("meshwork.runs", "Runs finished", "{run}");

    runs.add(2, Attributes.of(MeshAttributes.OUTCOME, "COMPLETED"));
    runs.add(1, Attributes.of(MeshAttributes.OUTCOME, "FAILED"));

    MetricData metric = telemetry.metric("meshwork.runs").orElseThrow();
    assertThat(metric.getUnit()).isEqualTo("{run}");
    assertThat(metric.getLongSumData().getPoints())
        .extracting(
            point -> point.getAttributes().get(MeshAttributes.OUTCOME), point -> point.getValue())
        .containsExactlyInAnyOrder(tuple("COMPLETED", 2L), tuple("FAILED", 1L));
  }

  @Test
  void durationHistogram_record_usesSecondBuckets() {
    var steps = MeshMetrics.durationHistogram("meshwork.step.duration", "Step duration");

    steps.record(0.03);

    MetricData metric = telemetry.metric("meshwork.step.duration").orElseThrow();
    assertThat(metric.getUnit()).isEqualTo("s");
    assertThat(metric.getHistogramData().getPoints())
        .singleElement()
        .satisfies(
            point ->
                assertThat(point.getBoundaries())
                    .isEqualTo(MeshMetrics.DURATION_BUCKETS_SECONDS));
  }

  @Test
  @SuppressWarnings("try")
  void gauge_collected_readsCallback() {
    try (ObservableLongGauge ignored =
        MeshMetrics.gauge(
            "meshwork.registry.instances",
            "Registered instances",
            "{instance}",
            measurement -> measurement.record(3))) {
      MetricData metric = telemetry.metric("meshwork.registry.instances").orElseThrow();

      assertThat(metric.getLongGaugeData().getPoints())
          .singleElement()
          .satisfies(point -> assertThat(point.getValue()).isEqualTo(3));
    }
  }
}
