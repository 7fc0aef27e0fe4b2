package dev.meshwork.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.linecorp.armeria.common.HttpMethod;
import dev.meshwork.core.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiKeyIssuerTest {

  @TempDir Path dir;

  @Test
  void issue_newFile_storesOnlyTheHashOfAFreshKey() throws Exception {
    Path file = dir.resolve("sub/keys.yaml");

    String key = ApiKeyIssuer.issue(file, "dev", "/v1/**");

    assertThat(key).startsWith("mw_").hasSizeGreaterThan(40);
    assertThat(Files.readString(file)).doesNotContain(key).contains(ApiKeyStore.hash(key));
    ApiKey loaded = ApiKeysFile.load(file).find(key).orElseThrow();
    assertThat(loaded.name()).isEqualTo("dev");
    assertThat(loaded.allows(HttpMethod.POST, "/v1/runs")).isTrue();
  }

  @Test
  void issue_existingFile_appendsAndKeepsOtherKeys() {
    Path file = dir.resolve("keys.yaml");
    String first = ApiKeyIssuer.issue(file, "a", "/v1/**");

    String second = ApiKeyIssuer.issue(file, "b", "GET /v1/**");

    ApiKeyStore store = ApiKeysFile.load(file);
    assertThat(store.size()).isEqualTo(2);
    assertThat(store.find(first)).isPresent();
    assertThat(store.find(second).orElseThrow().allows(HttpMethod.POST, "/v1/runs")).isFalse();
  }

  @Test
  void issue_duplicateName_leavesFileUnchanged() throws Exception {
    Path file = dir.resolve("keys.yaml");
    ApiKeyIssuer.issue(file, "a", "/v1/**");
    String before = Files.readString(file);

    assertThatThrownBy(() -> ApiKeyIssuer.issue(file, "a", "/v1/**"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("twice");
    assertThat(Files.readString(file)).isEqualTo(before);
  }
}
