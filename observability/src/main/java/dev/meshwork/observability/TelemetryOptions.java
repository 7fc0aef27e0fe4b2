package dev.meshwork.observability;

import static java.util.Objects.requireNonNull;

import dev.meshwork.observability.internal.LogLevels;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Level;

/**
 * How {@link MeshTelemetry#init(TelemetryOptions)} sets a process up, beyond what the standard
 * {@code OTEL_*} variables configure.
 *
 * <p>Settings read by {@link #fromEnvironment(String)} (the flag equivalents belong to the
 * process's own settings parser):
 *
 * <ul>
 *   <li>{@code MESHWORK_METRICS_PORT} ({@code --metrics-port}), default 0: the Prometheus scrape
 *       endpoint's port; 0 turns the endpoint off.
 *   <li>{@code MESHWORK_METRICS_HOST} ({@code --metrics-host}), default {@code 127.0.0.1}: the
 *       address it binds.
 *   <li>{@code MESHWORK_LOG_LEVEL} ({@code --log-level}), default {@code INFO}: the root log level
 *       (JUL names or DEBUG/TRACE/WARN/ERROR).
 * </ul>
 *
 * @param serviceName the {@code service.name} used unless {@code OTEL_SERVICE_NAME} (or {@code
 *     service.name} in {@code OTEL_RESOURCE_ATTRIBUTES}) names another
 * @param metricsHost the address the Prometheus endpoint binds
 * @param metricsPort the Prometheus endpoint's port, 0 for no endpoint
 * @param logLevel the root log level
 * @param installLogging whether to install the one-line correlated log format ({@link
 *     MeshLogging#install})
 * @param otelDefaults {@code otel.*} properties used as defaults; {@code OTEL_*} environment
 *     variables and {@code -Dotel.*} system properties still win
 */
public record TelemetryOptions(
    String serviceName,
    String metricsHost,
    int metricsPort,
    Level logLevel,
    boolean installLogging,
    Map<String, String> otelDefaults) {

  /** Validates the parts. */
  public TelemetryOptions {
    requireNonNull(serviceName, "serviceName");
    requireNonNull(metricsHost, "metricsHost");
    requireNonNull(logLevel, "logLevel");
    otelDefaults = Map.copyOf(requireNonNull(otelDefaults, "otelDefaults"));
    if (serviceName.isBlank()) {
      throw new IllegalArgumentException("serviceName: must not be blank");
    }
    if (metricsPort < 0 || metricsPort > 65535) {
      throw new IllegalArgumentException("metricsPort: " + metricsPort + " (expected: 0..65535)");
    }
    for (String key : otelDefaults.keySet()) {
      if (!key.startsWith("otel.")) {
        throw new IllegalArgumentException("otelDefaults: '" + key + "' (expected: otel.*)");
      }
    }
  }

  /** Options for {@code serviceName} read from the process environment. */
  public static TelemetryOptions fromEnvironment(String serviceName) {
    return fromEnvironment(serviceName, System.getenv());
  }

  /**
   * Options for {@code serviceName} read from {@code env}.
   *
   * @throws IllegalArgumentException naming the variable when a value is malformed
   */
  public static TelemetryOptions fromEnvironment(String serviceName, Map<String, String> env) {
    requireNonNull(env, "env");
    Builder builder = builder(serviceName);
    String port = env.get("MESHWORK_METRICS_PORT");
    if (port != null && !port.isBlank()) {
      builder.metricsPort(parsePort(port.trim()));
    }
    String host = env.get("MESHWORK_METRICS_HOST");
    if (host != null && !host.isBlank()) {
      builder.metricsHost(host.trim());
    }
    String level = env.get("MESHWORK_LOG_LEVEL");
    if (level != null && !level.isBlank()) {
      try {
        builder.logLevel(LogLevels.parse(level));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("MESHWORK_LOG_LEVEL: " + e.getMessage(), e);
      }
    }
    return builder.build();
  }

  private static int parsePort(String text) {
    int port;
    try {
      port = Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "MESHWORK_METRICS_PORT: '" + text + "' (expected: a port 0..65535, 0 = off)", e);
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException(
          "MESHWORK_METRICS_PORT: " + port + " (expected: 0..65535, 0 = off)");
    }
    return port;
  }

  /** A builder with the documented defaults, ignoring the environment. */
  public static Builder builder(String serviceName) {
    return new Builder(serviceName);
  }

  /** A builder starting from these options. */
  public Builder toBuilder() {
    Builder b = new Builder(serviceName);
    b.metricsHost = metricsHost;
    b.metricsPort = metricsPort;
    b.logLevel = logLevel;
    b.installLogging = installLogging;
    b.otelDefaults.putAll(otelDefaults);
    return b;
  }

  /** Builds {@link TelemetryOptions}. */
  public static final class Builder {
    private final String serviceName;
    private String metricsHost = "127.0.0.1";
    private int metricsPort;
    private Level logLevel = Level.INFO;
    private boolean installLogging = true;
    private final Map<String, String> otelDefaults = new LinkedHashMap<>();

    private Builder(String serviceName) {
      this.serviceName = requireNonNull(serviceName, "serviceName");
    }

    /** The address the Prometheus endpoint binds (default {@code 127.0.0.1}). */
    public Builder metricsHost(String host) {
      this.metricsHost = requireNonNull(host, "host");
      return this;
    }

    /** The Prometheus endpoint's port; 0 (the default) serves no endpoint. */
    public Builder metricsPort(int port) {
      this.metricsPort = port;
      return this;
    }

    /** The root log level (default INFO). */
    public Builder logLevel(Level level) {
      this.logLevel = requireNonNull(level, "level");
      return this;
    }

    /**
     * The root log level by name: TRACE, DEBUG, INFO, WARN, ERROR, OFF or a JUL level name.
     *
     * @throws IllegalArgumentException for an unknown name
     */
    public Builder logLevel(String name) {
      return logLevel(LogLevels.parse(name));
    }

    /** Whether to install the one-line correlated log format (default true). */
    public Builder installLogging(boolean install) {
      this.installLogging = install;
      return this;
    }

    /**
     * Sets an {@code otel.*} property default, for example {@code otel.traces.exporter=none} in a
     * benchmark; the process's {@code OTEL_*} variables and {@code -Dotel.*} properties still win.
     */
    public Builder otelDefault(String key, String value) {
      otelDefaults.put(requireNonNull(key, "key"), requireNonNull(value, "value"));
      return this;
    }

    /**
     * Builds the options.
     *
     * @throws IllegalArgumentException for a value out of range
     */
    public TelemetryOptions build() {
      return new TelemetryOptions(
          serviceName, metricsHost, metricsPort, logLevel, installLogging, otelDefaults);
    }
  }
}
