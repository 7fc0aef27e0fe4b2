package dev.meshwork.cli.telemetry;

import static java.util.Objects.requireNonNull;

import dev.meshwork.cli.CliEnvironment;
import dev.meshwork.observability.MeshTelemetry;
import dev.meshwork.observability.TelemetryOptions;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.logging.Level;

/**
 * meshctl's telemetry: off unless {@code OTEL_EXPORTER_OTLP_ENDPOINT} or {@code
 * OTEL_TRACES_EXPORTER} asks for it, because a CLI without a collector must neither wait for nor
 * complain about exports. When on, each command's span ({@link TracedExecution}) is exported and
 * its W3C trace context goes out on every call, so the runs it starts continue its trace.
 *
 * <pre>{@code
 * try (CliTelemetry telemetry = CliTelemetry.start(environment, err)) {
 *   exitCode = commandLine.execute(args);
 * } // flushes the spans before the process exits
 * }</pre>
 */
public final class CliTelemetry implements AutoCloseable {

  /** The {@code service.name} of meshctl's spans (unless {@code OTEL_SERVICE_NAME} says else). */
  public static final String SERVICE_NAME = "meshctl";

  private static final CliTelemetry OFF = new CliTelemetry(false);

  private final boolean on;

  private CliTelemetry(boolean on) {
    this.on = on;
  }

  /**
   * Sets telemetry up when {@code environment} asks for it; otherwise does nothing. A malformed
   * {@code OTEL_*} value turns it off with one line on {@code err}: tracing is not worth failing a
   * command for.
   */
  public static CliTelemetry start(CliEnvironment environment, PrintWriter err) {
    requireNonNull(environment, "environment");
    requireNonNull(err, "err");
    if (!wanted(environment)) {
      return OFF;
    }
    try {
      MeshTelemetry.init(options());
      return new CliTelemetry(true);
    } catch (RuntimeException e) {
      err.println("meshctl: tracing off: " + e.getMessage());
      err.flush();
      return OFF;
    }
  }

  /**
   * Whether {@code environment} asks for traces: an OTLP endpoint or a traces exporter is set, the
   * exporter is not {@code none} and the SDK is not disabled.
   */
  static boolean wanted(CliEnvironment environment) {
    String exporter =
        environment
            .get("OTEL_TRACES_EXPORTER")
            .map(v -> v.trim().toLowerCase(Locale.ROOT))
            .orElse("");
    boolean asked =
        environment.get("OTEL_EXPORTER_OTLP_ENDPOINT").isPresent()
            || environment.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT").isPresent()
            || !exporter.isEmpty();
    boolean disabled =
        environment
            .get("OTEL_SDK_DISABLED")
            .map(v -> v.trim().equalsIgnoreCase("true"))
            .orElse(false);
    return asked && !exporter.equals("none") && !disabled;
  }

  /**
   * How meshctl runs the SDK: traces only (a short-lived process has no metrics worth a periodic
   * export), warnings and worse on stderr so that the command's output stays its own, and one
   * export attempt of at most three seconds ({@code OTEL_EXPORTER_OTLP_TIMEOUT} overrides it):
   * without a collector the refused connection fails at once instead of being retried with backoff
   * for ten seconds, while a busy collector still gets the spans (one second proved too short for a
   * cold JVM on a loaded machine).
   */
  static TelemetryOptions options() {
    return TelemetryOptions.builder(SERVICE_NAME)
        .logLevel(Level.WARNING)
        .otelDefault("otel.metrics.exporter", "none")
        .otelDefault("otel.exporter.otlp.timeout", "3000")
        .otelDefault("otel.java.exporter.otlp.retry.disabled", "true")
        .build();
  }

  /** Whether telemetry was set up. */
  public boolean on() {
    return on;
  }

  /** Exports the spans still queued (waiting a few seconds at most) and stops the SDK. */
  @Override
  public void close() {
    if (on) {
      MeshTelemetry.shutdown();
    }
  }
}
