package dev.meshwork.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshwork.core.ConfigException;
import dev.meshwork.core.Settings;
import dev.meshwork.core.TlsConfig;
import dev.meshwork.core.testing.TestPki;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GatewayConfigTest {

  @TempDir Path dir;

  @Test
  void fromSettings_defaults_areDocumentedOnes() {
    TestPki pki = TestPki.create(dir, "gateway/gateway");
    Settings settings = Settings.of(new String[0], Map.of("MESHWORK_CERT_DIR", dir.toString()));

    GatewayConfig config =
        GatewayConfig.fromSettings(
            settings, TlsConfig.fromSettings(settings, GatewayConfig.IDENTITY));

    assertThat(config.port()).isEqualTo(8443);
    assertThat(config.orchestratorTarget()).isEqualTo("localhost:7002");
    assertThat(config.registryTarget()).isEqualTo("localhost:7001");
    assertThat(config.defaultTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.heartbeat()).isEqualTo(Duration.ofSeconds(15));
    assertThat(config.maxRequestBytes()).isEqualTo(1 << 20);
    assertThat(config.httpTls())
        .get()
        .satisfies(t -> assertThat(t.certFile()).isEqualTo(pki.certFile("gateway/gateway")));
    settings.rejectUnknownFlags();
  }

  @Test
  void fromSettings_httpInsecure_needsNoCertificate() {
    Settings settings =
        Settings.of(
            new String[] {"--insecure", "--http-insecure", "--orchestrator=o:1", "--port=0"},
            Map.of("MESHWORK_API_KEYS_FILE", "/etc/keys.yaml"));

    GatewayConfig config =
        GatewayConfig.fromSettings(
            settings, TlsConfig.fromSettings(settings, GatewayConfig.IDENTITY));

    assertThat(config.httpTls()).isEmpty();
    assertThat(config.orchestratorTarget()).isEqualTo("o:1");
    assertThat(config.apiKeysFile()).contains(Path.of("/etc/keys.yaml"));
  }

  @Test
  void fromSettings_missingCertificate_failsNamingTheFlag() {
    Settings settings =
        Settings.of(new String[] {"--insecure"}, Map.of("MESHWORK_CERT_DIR", dir.toString()));
    TlsConfig tls = TlsConfig.fromSettings(settings, GatewayConfig.IDENTITY);

    assertThatThrownBy(() -> GatewayConfig.fromSettings(settings, tls))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("--http-cert")
        .hasMessageContaining("--http-insecure");
  }

  @Test
  void fromSettings_limits_defaultToAThousandAndAreRead() {
    Settings defaults = Settings.of(new String[] {"--insecure", "--http-insecure"}, Map.of());
    Settings set =
        Settings.of(
            new String[] {"--insecure", "--http-insecure", "--max-in-flight=64", "--max-streams=8"},
            Map.of());

    GatewayConfig byDefault =
        GatewayConfig.fromSettings(
            defaults, TlsConfig.fromSettings(defaults, GatewayConfig.IDENTITY));
    GatewayConfig configured =
        GatewayConfig.fromSettings(set, TlsConfig.fromSettings(set, GatewayConfig.IDENTITY));

    assertThat(byDefault.maxInFlight()).isEqualTo(1000);
    assertThat(byDefault.maxStreams()).isEqualTo(1000);
    assertThat(configured.maxInFlight()).isEqualTo(64);
    assertThat(configured.maxStreams()).isEqualTo(8);
  }

  @Test
  void build_zeroLimits_failNamingTheLimit() {
    assertThatThrownBy(() -> GatewayConfig.builder().maxInFlight(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxInFlight: 0 (expected: > 0)");
    assertThatThrownBy(() -> GatewayConfig.builder().maxStreams(-1).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxStreams: -1 (expected: > 0)");
  }

  @Test
  void fromSettings_defaultAboveMaximum_fails() {
    Settings settings =
        Settings.of(
            new String[] {"--insecure", "--http-insecure", "--request-timeout=10m"}, Map.of());

    assertThatThrownBy(
            () ->
                GatewayConfig.fromSettings(
                    settings, TlsConfig.fromSettings(settings, GatewayConfig.IDENTITY)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("maxTimeout");
  }
}
