package dev.meshwork.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshwork.core.ConfigException;
import dev.meshwork.core.MeshIdentity;
import dev.meshwork.core.Settings;
import dev.meshwork.orchestrator.internal.OrchestratorSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OrchestratorMainTest {

  private static MeshIdentity id(String kindAndName) {
    return MeshIdentity.parseKindName(MeshIdentity.DEFAULT_TRUST_DOMAIN, kindAndName);
  }

  @Test
  void policy_clientsGatewaysAndAgentsMayCall_othersMayNot() {
    String start = "meshwork.orchestrator.v1.OrchestratorService/StartRun";
    String watch = "meshwork.orchestrator.v1.RunStatusService/WatchRun";

    assertThat(OrchestratorMain.POLICY.allows(start, id("client/alice"))).isTrue();
    assertThat(OrchestratorMain.POLICY.allows(watch, id("gateway/gateway"))).isTrue();
    assertThat(OrchestratorMain.POLICY.allows(start, id("agent/text"))).isTrue();
    assertThat(OrchestratorMain.POLICY.allows(start, id("registry/registry"))).isFalse();
    assertThat(
            OrchestratorMain.POLICY.allows(
                "meshwork.agent.v1.AgentService/Invoke", id("client/alice")))
        .isFalse();
  }

  @Test
  void settings_defaults() {
    OrchestratorSettings s =
        OrchestratorSettings.fromSettings(Settings.of(new String[0], Map.of()));

    assertThat(s.registry()).isEqualTo("localhost:7001");
    assertThat(s.storeDir()).isEqualTo(Path.of(".data", "orchestrator"));
    assertThat(s.engine().maxInFlight()).isEqualTo(256);
    assertThat(s.engine().defaultRunTimeout()).isEqualTo(Duration.ofMinutes(10));
    assertThat(s.watchBuffer()).isEqualTo(1024);
    assertThat(s.watchHistory()).isEqualTo(10_000);
  }

  @Test
  void settings_flagsAndEnvironment() {
    OrchestratorSettings s =
        OrchestratorSettings.fromSettings(
            Settings.of(
                new String[] {
                  "--max-in-flight=8", "--default-run-timeout", "30s", "--watch-history=50"
                },
                Map.of("MESHWORK_REGISTRY", "reg:9", "MESHWORK_DATA_DIR", "/var/mesh")));

    assertThat(s.registry()).isEqualTo("reg:9");
    assertThat(s.storeDir()).isEqualTo(Path.of("/var/mesh", "orchestrator"));
    assertThat(s.engine().maxInFlight()).isEqualTo(8);
    assertThat(s.engine().defaultRunTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(s.watchHistory()).isEqualTo(50);
  }

  @Test
  void settings_badValue_failsNamingTheSetting() {
    assertThatThrownBy(
            () ->
                OrchestratorSettings.fromSettings(
                    Settings.of(new String[] {"--max-pending=0"}, Map.of())))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("--max-pending");
  }
}
