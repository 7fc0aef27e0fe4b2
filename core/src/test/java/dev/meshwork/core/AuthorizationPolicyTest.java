package dev.meshwork.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuthorizationPolicyTest {

  private static final String REGISTER = "meshwork.registry.v1.RegistryService/RegisterAgent";
  private static final String LIST = "meshwork.registry.v1.RegistryService/ListAgentInstances";
  private static final String INVOKE = "meshwork.agent.v1.AgentService/Invoke";

  private final AuthorizationPolicy policy =
      AuthorizationPolicy.builder()
          .allow(REGISTER, "agent/*")
          .allow("meshwork.registry.v1.RegistryService/*", "*")
          .allow("meshwork.agent.v1.AgentService/*", "orchestrator/orchestrator", "agent/*")
          .build();

  private static MeshIdentity id(String kindAndName) {
    return MeshIdentity.parseKindName("meshwork.local", kindAndName);
  }

  @Test
  void allows_matchingKindWildcard_allows() {
    assertThat(policy.allows(REGISTER, id("agent/text"))).isTrue();
  }

  @Test
  void allows_serviceWildcardAfterSpecificRule_stillAllowsReads() {
    assertThat(policy.allows(LIST, id("client/alice"))).isTrue();
  }

  @Test
  void allows_exactIdentity_allowsOnlyThatOne() {
    assertThat(policy.allows(INVOKE, id("orchestrator/orchestrator"))).isTrue();
    assertThat(policy.allows(INVOKE, id("gateway/gateway"))).isFalse();
  }

  @Test
  void allows_noRuleMatches_denies() {
    assertThat(policy.allows("other.Service/Method", id("agent/text"))).isFalse();
  }

  @Test
  void allows_healthAndReflection_openToEveryIdentity() {
    AuthorizationPolicy empty = AuthorizationPolicy.builder().build();

    assertThat(empty.allows("grpc.health.v1.Health/Check", id("client/x"))).isTrue();
    assertThat(empty.allows("grpc.reflection.v1.ServerReflection/ServerReflectionInfo", id("client/x")))
        .isTrue();
  }

  @Test
  void withOverrides_denyRule_winsOverBuiltInAllow(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("policy.txt");
    Files.writeString(
        file,
        "# no clients invoke agents directly\n"
            + "deny meshwork.agent.v1.AgentService/* agent/rogue   # quarantined\n\n");

    AuthorizationPolicy merged = policy.withOverrides(AuthorizationPolicy.parse(file));

    assertThat(merged.allows(INVOKE, id("agent/rogue"))).isFalse();
    assertThat(merged.allows(INVOKE, id("agent/text"))).isTrue();
  }

  @Test
  void parse_malformedLine_failsWithFileAndLine(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("policy.txt");
    Files.writeString(file, "allow *\n");

    assertThatThrownBy(() -> AuthorizationPolicy.parse(file))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("policy.txt:1: 'allow *'");
  }

  @Test
  void parse_badIdentityPattern_failsWithFileAndLine(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("policy.txt");
    Files.writeString(file, "\nallow * alice\n");

    assertThatThrownBy(() -> AuthorizationPolicy.parse(file))
        .hasMessageContaining("policy.txt:2: identity: 'alice'");
  }
}
