package dev.meshwork.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.linecorp.armeria.common.HttpMethod;
import dev.meshwork.core.ConfigException;
import org.junit.jupiter.api.Test;

class ApiKeysFileTest {

  private static final String HASH = ApiKeyStore.hash("secret-key");

  @Test
  void parse_validFile_findsKeyByItsText() {
    ApiKeyStore store =
        ApiKeysFile.parse(
            "keys:\n  - name: ci\n    sha256: " + HASH + "\n    allow: [\"GET /v1/**\"]\n"
                + "    rate: 5\n",
            "keys.yaml");

    ApiKey key = store.find("secret-key").orElseThrow();
    assertThat(key.name()).isEqualTo("ci");
    assertThat(key.allows(HttpMethod.GET, "/v1/runs")).isTrue();
    assertThat(key.rateLimit()).isEqualTo(new RateLimit(5, 10));
    assertThat(store.find("secret-key ")).isEmpty();
  }

  @Test
  void parse_noRate_usesDefault() {
    ApiKeyStore store =
        ApiKeysFile.parse("keys:\n- {name: a, sha256: " + HASH + ", allow: [/v1/**]}\n", "f");

    assertThat(store.find("secret-key").orElseThrow().rateLimit()).isEqualTo(RateLimit.DEFAULT);
  }

  @Test
  void parse_plaintextKeyField_isRefusedWithHint() {
    assertThatThrownBy(
            () ->
                ApiKeysFile.parse(
                    "keys:\n- {name: a, key: secret-key, allow: [/v1/**]}\n", "keys.yaml"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("keys.yaml")
        .hasMessageContaining("keys[0].key")
        .hasMessageContaining("never in plain text");
  }

  @Test
  void parse_notAHash_isRefused() {
    assertThatThrownBy(
            () -> ApiKeysFile.parse("keys:\n- {name: a, sha256: secret, allow: [/v1/**]}\n", "f"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("64 lowercase hex");
  }

  @Test
  void parse_missingAllow_isRefused() {
    assertThatThrownBy(() -> ApiKeysFile.parse("keys:\n- {name: a, sha256: " + HASH + "}\n", "f"))
        .hasMessageContaining("keys[0].allow");
  }

  @Test
  void parse_badRoute_namesTheEntry() {
    assertThatThrownBy(
            () ->
                ApiKeysFile.parse(
                    "keys:\n- {name: a, sha256: " + HASH + ", allow: [\"GRAB /v1\"]}\n", "f"))
        .hasMessageContaining("keys[0].allow[0]");
  }

  @Test
  void parse_duplicateHash_isRefused() {
    String entry = "- {name: %s, sha256: " + HASH + ", allow: [/v1/**]}\n";
    assertThatThrownBy(
            () -> ApiKeysFile.parse("keys:\n" + entry.formatted("a") + entry.formatted("b"), "f"))
        .hasMessageContaining("twice");
  }

  @Test
  void parse_emptyFile_hasNoKeys() {
    assertThat(ApiKeysFile.parse("", "f").size()).isZero();
  }

  @Test
  void hash_isHexSha256() {
    assertThat(ApiKeyStore.hash("abc"))
        .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  }
}
