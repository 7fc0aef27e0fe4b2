package dev.meshwork.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DefaultUserTest {

  @Test
  void sanitize_loginNames_becomeIdentityNames() {
    assertThat(DefaultUser.sanitize("Alice")).isEqualTo("alice");
    assertThat(DefaultUser.sanitize("-_x__y-")).isEqualTo("x-y");
    assertThat(DefaultUser.sanitize("@@@")).isEqualTo("dev");
    assertThat(DefaultUser.sanitize("a".repeat(70))).hasSize(63);
  }

  @Test
  void name_meshworkUser_winsOverUser() {
    assertThat(DefaultUser.name(env("MESHWORK_USER", "bob", "USER", "alice"))).isEqualTo("bob");
  }

  @Test
  void name_onlyUser_isSanitized() {
    assertThat(DefaultUser.name(env("USER", "Jane.Doe"))).isEqualTo("jane-doe");
  }

  @Test
  void name_nothingSet_isDev() {
    assertThat(DefaultUser.name(env())).isEqualTo("dev");
  }

  @Test
  void name_badMeshworkUser_throwsUsage() {
    assertThatThrownBy(() -> DefaultUser.name(env("MESHWORK_USER", "Bob Smith")))
        .isInstanceOfSatisfying(MeshctlException.class, e -> assertThat(e.exitCode()).isEqualTo(2))
        .hasMessageStartingWith("MESHWORK_USER: 'Bob Smith' (expected:");
  }

  private static CliEnvironment env(String... keyValues) {
    Map<String, String> variables = new HashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      variables.put(keyValues[i], keyValues[i + 1]);
    }
    return new CliEnvironment(variables);
  }
}
