package dev.meshwork.core;

import dev.meshwork.observability.MeshTelemetry;
import dev.meshwork.observability.TelemetryOptions;
import io.opentelemetry.api.OpenTelemetry;

/**
 * Starts a process's telemetry from its settings, so every main does it the same way.
 *
 * <p>Settings (flag / environment variable, default): {@code --metrics-port} / {@code
 * MESHWORK_METRICS_PORT}, 0 (off): a Prometheus scrape endpoint; {@code --metrics-host} / {@code
 * MESHWORK_METRICS_HOST}, {@code 127.0.0.1}; {@code --log-level} / {@code MESHWORK_LOG_LEVEL},
 * {@code INFO}. Tracing is configured by the standard {@code OTEL_*} variables (OTLP to {@code
 * 127.0.0.1:4317} by default; {@code OTEL_SDK_DISABLED=true} turns it off).
 */
public final class TelemetrySettings {

  private TelemetrySettings() {}

  /**
   * Installs logging, tracing and metrics for {@code serviceName}.
   *
   * @throws ConfigException for a bad setting
   */
  public static OpenTelemetry init(Settings settings, String serviceName) {
    TelemetryOptions options;
    try {
      options =
          TelemetryOptions.builder(serviceName)
              .metricsPort(settings.integer("metrics-port", 0, 0, 65535))
              .metricsHost(settings.string("metrics-host", "127.0.0.1"))
              .logLevel(settings.string("log-level", "INFO"))
              .build();
    } catch (IllegalArgumentException e) {
      throw new ConfigException("--log-level / MESHWORK_LOG_LEVEL: " + e.getMessage());
    }
    try {
      return MeshTelemetry.init(options);
    } catch (IllegalStateException e) {
      throw new ConfigException(e.getMessage());
    }
  }
}
