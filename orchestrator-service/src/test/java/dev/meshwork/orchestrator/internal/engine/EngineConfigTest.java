package dev.meshwork.orchestrator.internal.engine;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class EngineConfigTest {

  @Test
  void build_badValues_namedWithExpectation() {
    assertThatThrownBy(() -> EngineConfig.builder().maxInFlight(0).build())
        .hasMessage("maxInFlight: 0 (expected: > 0)");
    assertThatThrownBy(() -> EngineConfig.builder().retryAfter(Duration.ZERO).build())
        .hasMessage("retryAfter: PT0S (expected: > 0)");
    assertThatThrownBy(() -> EngineConfig.builder().breakerThreshold(5, 3).build())
        .hasMessage("breakerWindow: 3 (expected: >= breakerFailureThreshold 5)");
  }
}
