package dev.meshwork.cli.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshwork.cli.CliEnvironment;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;

class CliTelemetryTest {

  @Test
  void wanted_noOtelVariables_isFalse() {
    assertThat(CliTelemetry.wanted(env(Map.of("USER", "alice")))).isFalse();
  }

  @Test
  void wanted_otlpEndpoint_isTrue() {
    assertThat(CliTelemetry.wanted(env(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4317"))))
        .isTrue();
  }

  @Test
  void wanted_tracesExporter_isTrue() {
    assertThat(CliTelemetry.wanted(env(Map.of("OTEL_TRACES_EXPORTER", "otlp")))).isTrue();
  }

  @Test
  void wanted_tracesExporterNone_isFalse() {
    Map<String, String> variables =
        Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4317", "OTEL_TRACES_EXPORTER", "None");

    assertThat(CliTelemetry.wanted(env(variables))).isFalse();
  }

  @Test
  void wanted_sdkDisabled_isFalse() {
    Map<String, String> variables =
        Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4317", "OTEL_SDK_DISABLED", "true");

    assertThat(CliTelemetry.wanted(env(variables))).isFalse();
  }

  @Test
  void start_notWanted_isOffAndPrintsNothing() {
    StringWriter err = new StringWriter();

    try (CliTelemetry telemetry = CliTelemetry.start(env(Map.of()), new PrintWriter(err))) {
      assertThat(telemetry.on()).isFalse();
    }
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void options_cli_tracesOnlyAndQuiet() {
    var options = CliTelemetry.options();

    assertThat(options.serviceName()).isEqualTo("meshctl");
    assertThat(options.metricsPort()).isZero();
    assertThat(options.logLevel()).isEqualTo(Level.WARNING);
    assertThat(options.otelDefaults())
        .containsEntry("otel.metrics.exporter", "none")
        .containsEntry("otel.java.exporter.otlp.retry.disabled", "true");
  }

  private static CliEnvironment env(Map<String, String> variables) {
    return new CliEnvironment(variables);
  }
}
