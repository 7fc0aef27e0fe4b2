package dev.meshwork.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;

class TelemetryOptionsTest {

  @Test
  void fromEnvironment_nothingSet_usesDocumentedDefaults() {
    TelemetryOptions options = TelemetryOptions.fromEnvironment("registry", Map.of());

    assertThat(options.serviceName()).isEqualTo("registry");
    assertThat(options.metricsPort()).isZero();
    assertThat(options.metricsHost()).isEqualTo("127.0.0.1");
    assertThat(options.logLevel()).isEqualTo(Level.INFO);
    assertThat(options.installLogging()).isTrue();
    assertThat(options.otelDefaults()).isEmpty();
  }

  @Test
  void fromEnvironment_meshworkVariablesSet_readsThem() {
    TelemetryOptions options =
        TelemetryOptions.fromEnvironment(
            "registry",
            Map.of(
                "MESHWORK_METRICS_PORT", "9464",
                "MESHWORK_METRICS_HOST", "0.0.0.0",
                "MESHWORK_LOG_LEVEL", "debug"));

    assertThat(options.metricsPort()).isEqualTo(9464);
    assertThat(options.metricsHost()).isEqualTo("0.0.0.0");
    assertThat(options.logLevel()).isEqualTo(Level.FINE);
  }

  @Test
  void fromEnvironment_portNotANumber_failsNamingTheVariable() {
    assertThatThrownBy(
            () ->
                TelemetryOptions.fromEnvironment(
                    "registry", Map.of("MESHWORK_METRICS_PORT", "nine")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("MESHWORK_METRICS_PORT: 'nine' (expected: a port 0..65535, 0 = off)");
  }

  @Test
  void fromEnvironment_portOutOfRange_failsNamingTheVariable() {
    assertThatThrownBy(
            () ->
                TelemetryOptions.fromEnvironment(
                    "registry", Map.of("MESHWORK_METRICS_PORT", "70000")))
        .hasMessage("MESHWORK_METRICS_PORT: 70000 (expected: 0..65535, 0 = off)");
  }

  @Test
  void fromEnvironment_unknownLogLevel_failsNamingTheVariable() {
    assertThatThrownBy(
            () ->
                TelemetryOptions.fromEnvironment(
                    "registry", Map.of("MESHWORK_LOG_LEVEL", "loud")))
        .hasMessageStartingWith("MESHWORK_LOG_LEVEL: 'loud' (expected: TRACE, DEBUG, INFO");
  }

  @Test
  void builder_logLevelByName_parsesCommonNames() {
    assertThat(TelemetryOptions.builder("x").logLevel("warn").build().logLevel())
        .isEqualTo(Level.WARNING);
  }

  @Test
  void builder_blankServiceName_isRejected() {
    assertThatThrownBy(() -> TelemetryOptions.builder(" ").build())
        .hasMessage("serviceName: must not be blank");
  }

  @Test
  void builder_otelDefaultOutsideOtelNamespace_isRejected() {
    assertThatThrownBy(() -> TelemetryOptions.builder("x").otelDefault("bsp.size", "1").build())
        .hasMessage("otelDefaults: 'bsp.size' (expected: otel.*)");
  }

  @Test
  void toBuilder_roundTrips() {
    TelemetryOptions options =
        TelemetryOptions.builder("x")
            .metricsPort(1234)
            .logLevel(Level.WARNING)
            .installLogging(false)
            .otelDefault("otel.traces.exporter", "none")
            .build();

    assertThat(options.toBuilder().build()).isEqualTo(options);
  }
}
