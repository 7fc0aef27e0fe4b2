package dev.meshwork.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SettingsTest {

  private static final Duration MIN = Duration.ofMillis(100);
  private static final Duration MAX = Duration.ofHours(1);

  @Test
  void integer_flagWinsOverEnvironment_returnsFlagValue() {
    Settings s = Settings.of(new String[] {"--port=7005"}, Map.of("MESHWORK_PORT", "7009"));

    assertThat(s.integer("port", 7001, 0, 65535)).isEqualTo(7005);
  }

  @Test
  void integer_onlyEnvironment_returnsEnvironmentValue() {
    Settings s = Settings.of(new String[0], Map.of("MESHWORK_PORT", "7009"));

    assertThat(s.integer("port", 7001, 0, 65535)).isEqualTo(7009);
  }

  @Test
  void integer_unset_returnsDefault() {
    assertThat(Settings.of(new String[0], Map.of()).integer("port", 7001, 0, 65535))
        .isEqualTo(7001);
  }

  @Test
  void integer_notANumber_failsNamingFlagAndVariable() {
    Settings s = Settings.of(new String[] {"--port", "abc"}, Map.of());

    assertThatThrownBy(() -> s.integer("port", 7001, 0, 65535))
        .isInstanceOf(ConfigException.class)
        .hasMessage("--port / MESHWORK_PORT: 'abc' (expected: integer 0..65535)");
  }

  @Test
  void integer_outOfRange_fails() {
    Settings s = Settings.of(new String[0], Map.of("MESHWORK_PORT", "70000"));

    assertThatThrownBy(() -> s.integer("port", 7001, 0, 65535))
        .hasMessageContaining("'70000' (expected: integer 0..65535)");
  }

  @Test
  void duration_units_parse() {
    Settings s =
        Settings.of(new String[] {"--a=500ms", "--b=30s", "--c=5m", "--d=1h"}, Map.of());

    assertThat(s.duration("a", MIN, MIN, MAX)).isEqualTo(Duration.ofMillis(500));
    assertThat(s.duration("b", MIN, MIN, MAX)).isEqualTo(Duration.ofSeconds(30));
    assertThat(s.duration("c", MIN, MIN, MAX)).isEqualTo(Duration.ofMinutes(5));
    assertThat(s.duration("d", MIN, MIN, MAX)).isEqualTo(Duration.ofHours(1));
  }

  @Test
  void duration_malformedOrOutOfRange_failsWithExpectedRange() {
    Settings s =
        Settings.of(new String[0], Map.of("MESHWORK_GRACE_PERIOD", "soon", "MESHWORK_X", "2h"));

    assertThatThrownBy(() -> s.duration("grace-period", MIN, MIN, MAX))
        .hasMessage(
            "--grace-period / MESHWORK_GRACE_PERIOD: 'soon' (expected: duration like 30s,"
                + " 100ms..1h)");
    assertThatThrownBy(() -> s.duration("x", MIN, MIN, MAX)).hasMessageContaining("'2h'");
  }

  @Test
  void bool_badValue_fails() {
    Settings s = Settings.of(new String[] {"--insecure=maybe"}, Map.of());

    assertThatThrownBy(() -> s.bool("insecure", false))
        .hasMessage("--insecure / MESHWORK_INSECURE: 'maybe' (expected: true or false)");
  }

  @Test
  void bool_bareFlag_isTrue() {
    assertThat(Settings.of(new String[] {"--insecure"}, Map.of()).bool("insecure", false))
        .isTrue();
  }

  @Test
  void rejectUnknownFlags_typo_failsNamingIt() {
    Settings s = Settings.of(new String[] {"--prot=1"}, Map.of());
    s.integer("port", 7001, 0, 65535);

    assertThatThrownBy(s::rejectUnknownFlags)
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("unknown flag --prot");
  }

  @Test
  void of_positionalArgument_fails() {
    assertThatThrownBy(() -> Settings.of(new String[] {"registry"}, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessage("argument 'registry' (expected: --name=value)");
  }

  @Test
  void tlsConfig_missingCertificates_failsWithHint() {
    Settings s = Settings.of(new String[] {"--cert-dir=/nonexistent"}, Map.of());

    assertThatThrownBy(() -> TlsConfig.fromSettings(s, "registry/registry"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("--tls-cert / MESHWORK_TLS_CERT: '/nonexistent/registry/registry.crt'")
        .hasMessageContaining("meshctl certs init");
  }

  @Test
  void tlsConfig_badIdentity_failsNamingSetting() {
    Settings s = Settings.of(new String[] {"--insecure", "--identity=robot/x"}, Map.of());

    assertThatThrownBy(() -> TlsConfig.fromSettings(s, "registry/registry"))
        .hasMessageStartingWith("--identity / MESHWORK_IDENTITY: kind: 'robot'");
  }

  @Test
  void serverConfig_insecureDefaults_areDocumentedOnes() {
    ServerConfig c =
        ServerConfig.fromSettings(
            Settings.of(new String[] {"--insecure"}, Map.of()), 7001, "registry/registry");

    assertThat(c.port()).isEqualTo(7001);
    assertThat(c.host()).isEqualTo("127.0.0.1");
    assertThat(c.gracePeriod()).isEqualTo(Duration.ofSeconds(20));
    assertThat(c.tls().insecure()).isTrue();
    assertThat(c.tls().identity().kindAndName()).isEqualTo("registry/registry");
  }
}
