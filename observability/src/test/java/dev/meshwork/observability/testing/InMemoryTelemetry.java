package dev.meshwork.observability.testing;

import dev.meshwork.observability.MeshTelemetry;
import io.opentelemetry.api.baggage.propagation.W3CBaggagePropagator;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A JUnit 5 extension that gives each test a fresh in-memory OpenTelemetry SDK behind {@link
 * MeshTelemetry}: spans are exported synchronously when they end, metrics are read on demand, and
 * propagation is W3C trace context plus baggage, as in production.
 *
 * <pre>{@code
 * @RegisterExtension final InMemoryTelemetry telemetry = new InMemoryTelemetry();
 *
 * @Test
 * void startRun_twoSteps_recordsStepSpans() {
 *   ...
 *   await().until(() -> telemetry.spansNamed("step").size() == 2);
 * }
 * }</pre>
 */
public final class InMemoryTelemetry implements BeforeEachCallback, AfterEachCallback {

  private InMemorySpanExporter spanExporter;
  private InMemoryMetricReader metricReader;
  private OpenTelemetrySdk sdk;

  @Override
  public void beforeEach(ExtensionContext context) {
    spanExporter = InMemorySpanExporter.create();
    metricReader = InMemoryMetricReader.create();
    sdk =
        OpenTelemetrySdk.builder()
            .setTracerProvider(
                SdkTracerProvider.builder()
                    .addSpanProcessor(SimpleSpanProcessor.create(spanExporter))
                    .build())
            .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(metricReader).build())
            .setPropagators(
                ContextPropagators.create(
                    TextMapPropagator.composite(
                        W3CTraceContextPropagator.getInstance(),
                        W3CBaggagePropagator.getInstance())))
            .build();
    MeshTelemetry.useForTesting(sdk);
  }

  @Override
  public void afterEach(ExtensionContext context) {
    MeshTelemetry.shutdown();
    sdk.close();
  }

  /** The SDK in use for the current test. */
  public OpenTelemetrySdk sdk() {
    return sdk;
  }

  /** Every span ended so far in this test. */
  public List<SpanData> spans() {
    return spanExporter.getFinishedSpanItems();
  }

  /** The ended spans called {@code name}. */
  public List<SpanData> spansNamed(String name) {
    return spans().stream().filter(span -> span.getName().equals(name)).toList();
  }

  /** Current metric values (cumulative since the test started). */
  public Collection<MetricData> metrics() {
    return metricReader.collectAllMetrics();
  }

  /** The metric called {@code name}, if anything recorded it. */
  public Optional<MetricData> metric(String name) {
    return metrics().stream().filter(metric -> metric.getName().equals(name)).findFirst();
  }
}
