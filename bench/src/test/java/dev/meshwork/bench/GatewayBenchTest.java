package dev.meshwork.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GatewayBenchTest {

  @Test
  void keyFile_key_listsItsSha256WithEveryRouteAndNoPracticalLimit() throws Exception {
    // The hash the gateway's README gives for the key "test".
    assertThat(GatewayBench.keyFile("test"))
        .contains("sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\n")
        .contains("allow: [\"/v1/**\"]")
        .contains("rate: 1000000");
  }
}
