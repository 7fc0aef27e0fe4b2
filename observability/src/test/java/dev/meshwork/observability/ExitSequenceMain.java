package dev.meshwork.observability;

import java.util.logging.Logger;

/** A process that logs from an exit action; run in a child JVM by {@link ExitSequenceTest}. */
public final class ExitSequenceMain {

  private ExitSequenceMain() {}

  /** Starts telemetry, registers an exit action that logs, and returns (the JVM exits). */
  public static void main(String[] args) {
    MeshTelemetry.init(
        TelemetryOptions.builder("exit-test")
            .otelDefault("otel.traces.exporter", "none")
            .otelDefault("otel.metrics.exporter", "none")
            .build());
    Logger log = Logger.getLogger("exit.Main");
    MeshTelemetry.onExit(
        () -> {
          // Long enough that the JDK's own logging hook has certainly run by the second line.
          log.info("draining");
          try {
            Thread.sleep(300);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          log.info("drained");
        });
    log.info("started");
  }
}
