package dev.meshwork.observability.internal;

import static java.util.Objects.requireNonNull;

import dev.meshwork.observability.TelemetryOptions;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigProperties;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigurationException;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Builds the OpenTelemetry SDK with the autoconfigure module: the standard {@code OTEL_*}
 * variables over {@link OtelDefaults}, the service name and namespace defaults of {@link
 * ServiceResource}, an {@link OnDemandMetricReader} so the process can read its own dropped-span
 * count, and the Prometheus endpoint when a metrics port is set.
 */
public final class SdkBootstrap {

  private static final Logger LOG = Logger.getLogger(SdkBootstrap.class.getName());

  /** What the autoconfigure callbacks saw; they are the only way to learn it. */
  private static final class Seen {
    volatile ConfigProperties config;
    volatile Resource resource;
    volatile URI metricsUrl;
  }

  private SdkBootstrap() {}

  /**
   * Configures and starts the SDK (exporters, batch processor, metric readers).
   *
   * @throws PrometheusEndpoint.UnavailableException when the metrics port cannot be bound
   * @throws ConfigurationException for a malformed {@code OTEL_*} value
   */
  public static TelemetryState start(TelemetryOptions options) {
    requireNonNull(options, "options");
    OnDemandMetricReader selfReader = new OnDemandMetricReader();
    Seen seen = new Seen();
    OpenTelemetrySdk sdk = configure(options, selfReader, seen).getOpenTelemetrySdk();
    String serviceName =
        seen.resource == null
            ? options.serviceName()
            : seen.resource.getAttribute(ServiceResource.SERVICE_NAME);
    ConfigProperties config = seen.config;
    TelemetryState state =
        TelemetryState.over(
            serviceName,
            sdk,
            selfReader::collect,
            Optional.ofNullable(seen.metricsUrl),
            timeout -> awaitShutdown(sdk, timeout));
    if (config == null || config.getBoolean("otel.sdk.disabled", false)) {
      // Autoconfigure then returns a bare SDK: spans get ids (logs still correlate within a
      // process) but nothing is propagated, exported or served; client spans would go nowhere.
      LOG.info("OpenTelemetry disabled (OTEL_SDK_DISABLED=true): nothing exported, no metrics"
          + " endpoint");
      return state.withoutClientSpans();
    }
    LOG.info(() -> describe(serviceName, config, seen.metricsUrl));
    return state;
  }

  private static AutoConfiguredOpenTelemetrySdk configure(
      TelemetryOptions options, OnDemandMetricReader selfReader, Seen seen) {
    try {
      return AutoConfiguredOpenTelemetrySdk.builder()
          .addPropertiesSupplier(() -> OtelDefaults.with(options.otelDefaults()))
          .addResourceCustomizer(
              (resource, config) -> {
                seen.config = config;
                seen.resource = ServiceResource.withDefaults(resource, options.serviceName());
                return seen.resource;
              })
          .addMeterProviderCustomizer(
              (builder, config) -> {
                builder.registerMetricReader(selfReader);
                if (options.metricsPort() > 0) {
                  builder.registerMetricReader(
                      PrometheusEndpoint.start(options.metricsHost(), options.metricsPort()));
                  seen.metricsUrl =
                      PrometheusEndpoint.url(options.metricsHost(), options.metricsPort());
                }
                return builder;
              })
          // MeshTelemetry's exit hook flushes after the gRPC servers have drained.
          .disableShutdownHook()
          .build();
    } catch (ConfigurationException e) {
      // Autoconfigure wraps whatever a customizer throws; the bind failure is the useful message.
      if (e.getCause() instanceof PrometheusEndpoint.UnavailableException unavailable) {
        throw unavailable;
      }
      throw e;
    }
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
