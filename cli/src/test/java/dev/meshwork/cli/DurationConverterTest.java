package dev.meshwork.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class DurationConverterTest {

  private final DurationConverter converter = new DurationConverter();

  @Test
  void convert_simpleUnits_parse() {
    assertThat(converter.convert("365d")).isEqualTo(Duration.ofDays(365));
    assertThat(converter.convert("12h")).isEqualTo(Duration.ofHours(12));
    assertThat(converter.convert("30m")).isEqualTo(Duration.ofMinutes(30));
    assertThat(converter.convert("90s")).isEqualTo(Duration.ofSeconds(90));
  }

  @Test
  void convert_iso8601_parses() {
    assertThat(converter.convert("PT1H30M")).isEqualTo(Duration.ofMinutes(90));
  }

  @Test
  void convert_zero_throws() {
    assertThatThrownBy(() -> converter.convert("0d"))
        .isInstanceOf(TypeConversionException.class)
        .hasMessageContaining("positive");
  }

  @Test
  void convert_garbage_throwsWithExamples() {
    assertThatThrownBy(() -> converter.convert("soon"))
        .isInstanceOf(TypeConversionException.class)
        .hasMessageContaining("365d");
  }
}
