package dev.meshwork.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshwork.core.ConfigException;
import dev.meshwork.core.Settings;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RegistryConfigTest {

  @Test
  void fromSettings_nothingSet_usesDocumentedDefaults() {
    RegistryConfig config = RegistryConfig.fromSettings(insecure());

    assertThat(config.server().port()).isEqualTo(7001);
    assertThat(config.server().tls().identity().kindAndName()).isEqualTo("registry/registry");
    assertThat(config.historySize()).isEqualTo(10_000);
    assertThat(config.watcherBufferSize()).isEqualTo(1024);
    assertThat(config.sweepInterval()).isEqualTo(Duration.ofMillis(500));
  }

  @Test
  void fromSettings_flagsAndEnvironment_flagWins() {
    Settings settings =
        Settings.of(
            new String[] {"--insecure", "--history-size=50"},
            Map.of("MESHWORK_HISTORY_SIZE", "70", "MESHWORK_WATCHER_BUFFER", "16",
                "MESHWORK_SWEEP_INTERVAL", "2s"));

    RegistryConfig config = RegistryConfig.fromSettings(settings);

    assertThat(config.historySize()).isEqualTo(50);
    assertThat(config.watcherBufferSize()).isEqualTo(16);
    assertThat(config.sweepInterval()).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void fromSettings_badValue_failsNamingTheSetting() {
    Settings settings =
        Settings.of(new String[] {"--insecure", "--watcher-buffer=0"}, Map.of());

    assertThatThrownBy(() -> RegistryConfig.fromSettings(settings))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "--watcher-buffer / MESHWORK_WATCHER_BUFFER: '0' (expected: integer 1..1000000)");
  }

  private static Settings insecure() {
    return Settings.of(new String[] {"--insecure"}, Map.of());
  }
}
