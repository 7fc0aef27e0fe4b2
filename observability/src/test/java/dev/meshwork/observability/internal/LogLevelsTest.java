package dev.meshwork.observability.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.logging.Level;
import org.junit.jupiter.api.Test;

class LogLevelsTest {

  @Test
  void parse_commonAndJulNames_mapToJulLevels() {
    assertThat(LogLevels.parse("trace")).isEqualTo(Level.FINEST);
    assertThat(LogLevels.parse("DEBUG")).isEqualTo(Level.FINE);
    assertThat(LogLevels.parse(" warn ")).isEqualTo(Level.WARNING);
    assertThat(LogLevels.parse("error")).isEqualTo(Level.SEVERE);
    assertThat(LogLevels.parse("config")).isEqualTo(Level.CONFIG);
    assertThat(LogLevels.parse("OFF")).isEqualTo(Level.OFF);
  }

  @Test
  void parse_unknownName_failsListingChoices() {
    assertThatThrownBy(() -> LogLevels.parse("verbose"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("'verbose' (expected: TRACE, DEBUG, INFO, WARN, ERROR");
  }

  @Test
  void shortName_julLevels_mapToAtMostFiveLetters() {
    assertThat(LogLevels.shortName(Level.SEVERE)).isEqualTo("ERROR");
    assertThat(LogLevels.shortName(Level.WARNING)).isEqualTo("WARN");
    assertThat(LogLevels.shortName(Level.INFO)).isEqualTo("INFO");
    assertThat(LogLevels.shortName(Level.CONFIG)).isEqualTo("DEBUG");
    assertThat(LogLevels.shortName(Level.FINER)).isEqualTo("TRACE");
  }
}
