package dev.meshwork.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RequestTimeoutsTest {

  @Test
  void parseHuman_units_areRead() {
    assertThat(RequestTimeouts.parseHuman("5s")).isEqualTo(Duration.ofSeconds(5));
    assertThat(RequestTimeouts.parseHuman("250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(RequestTimeouts.parseHuman("1.5s")).isEqualTo(Duration.ofMillis(1500));
    assertThat(RequestTimeouts.parseHuman("2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(RequestTimeouts.parseHuman("3")).isEqualTo(Duration.ofSeconds(3));
  }

  @Test
  void parseHuman_zeroOrGarbage_isRejected() {
    assertThatThrownBy(() -> RequestTimeouts.parseHuman("0s")).hasMessageContaining("> 0");
    assertThatThrownBy(() -> RequestTimeouts.parseHuman("-1s")).hasMessageContaining("expected");
    assertThatThrownBy(() -> RequestTimeouts.parseHuman("soon")).hasMessageContaining("expected");
  }

  @Test
  void parseGrpc_units_areRead() {
    assertThat(RequestTimeouts.parseGrpc("5S")).isEqualTo(Duration.ofSeconds(5));
    assertThat(RequestTimeouts.parseGrpc("200m")).isEqualTo(Duration.ofMillis(200));
    assertThat(RequestTimeouts.parseGrpc("1H")).isEqualTo(Duration.ofHours(1));
    assertThatThrownBy(() -> RequestTimeouts.parseGrpc("123456789S")).hasMessageContaining("digits");
  }
}
