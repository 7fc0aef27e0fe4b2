package dev.meshwork.observability.internal;

import static java.util.Objects.requireNonNull;

import dev.meshwork.observability.TelemetryOptions;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigProperties;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;

/**
 * Builds the OpenTelemetry SDK with the autoconfigure module: the standard {@code OTEL_*}
 * variables over {@link OtelDefaults}, the service name and namespace defaults of {@link
 * ServiceResource}, an {@link OnDemandMetricReader} so the process can read its own dropped-span
 * count, and the Prometheus endpoint when a metrics port is set.
 */
public final class SdkBootstrap {

  private static final Logger LOG = Logger.getLogger(SdkBootstrap.class.getName());

  private SdkBootstrap() {}

  /**
   * Configures and starts the SDK (exporters, batch processor, metric readers).
   *
   * @throws IllegalStateException when the metrics port cannot be bound
   * @throws io.opentelemetry.sdk.autoconfigure.spi.ConfigurationException for a malformed {@code
   *     OTEL_*} value
   */
  public static TelemetryState start(TelemetryOptions options) {
    requireNonNull(options, "options");
    OnDemandMetricReader selfReader = new OnDemandMetricReader();
    AtomicReference<ConfigProperties> seenConfig = new AtomicReference<>();
    AtomicReference<Resource> seenResource = new AtomicReference<>();
    AtomicReference<URI> metricsUrl = new AtomicReference<>();
    AutoConfiguredOpenTelemetrySdk configured =
        AutoConfiguredOpenTelemetrySdk.builder()
            .addPropertiesSupplier(() -> OtelDefaults.with(options.otelDefaults()))
            .addResourceCustomizer(
                (resource, config) -> {
                  seenConfig.set(config);
                  Resource completed = ServiceResource.withDefaults(resource, options.serviceName());
                  seenResource.set(completed);
                  return completed;
                })
            .addMeterProviderCustomizer(
                (builder, config) -> {
                  builder.registerMetricReader(selfReader);
                  if (options.metricsPort() > 0) {
                    builder.registerMetricReader(
                        PrometheusEndpoint.start(options.metricsHost(), options.metricsPort()));
                    metricsUrl.set(
                        PrometheusEndpoint.url(options.metricsHost(), options.metricsPort()));
                  }
                  return builder;
                })
            // MeshTelemetry's exit hook flushes after the gRPC servers have drained.
            .disableShutdownHook()
            .build();
    OpenTelemetrySdk sdk = configured.getOpenTelemetrySdk();
    ConfigProperties config = seenConfig.get();
    String serviceName = options.serviceName();
    if (config == null) {
      // otel.sdk.disabled=true: autoconfigure skipped every customizer.
      LOG.info("OpenTelemetry disabled (OTEL_SDK_DISABLED=true): no spans, metrics or endpoint");
    } else {
      serviceName = seenResource.get().getAttribute(ServiceResource.SERVICE_NAME);
      String name = serviceName;
      LOG.info(() -> describe(name, config, metricsUrl.get()));
    }
    return TelemetryState.over(
        serviceName,
        sdk,
        selfReader::collect,
        Optional.ofNullable(metricsUrl.get()),
        timeout -> awaitShutdown(sdk, timeout));
  }

  private static boolean awaitShutdown(OpenTelemetrySdk sdk, Duration timeout) {
    CompletableResultCode result = sdk.shutdown();
    result.join(timeout.toMillis(), TimeUnit.MILLISECONDS);
    return result.isSuccess();
  }

  private static String describe(String serviceName, ConfigProperties config, URI metrics) {
    String traces = config.getString("otel.traces.exporter", "otlp");
    String endpoint =
        config.getString(
            "otel.exporter.otlp.traces.endpoint",
            config.getString("otel.exporter.otlp.endpoint", OtelDefaults.OTLP_ENDPOINT));
    return "telemetry for service.name=" + serviceName
        + ": traces=" + traces
        + (traces.contains("otlp") ? " to " + endpoint : "")
        + ", metrics=" + config.getString("otel.metrics.exporter", "otlp")
        + (metrics == null ? "" : ", prometheus at " + metrics);
  }
}
