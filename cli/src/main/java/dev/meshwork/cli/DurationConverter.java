package dev.meshwork.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Converts option values like {@code 365d}, {@code 12h}, {@code 30m}, {@code 90s}, {@code 500ms} or
 * ISO-8601 ({@code PT1H30M}) to a positive {@link Duration}.
 */
public final class DurationConverter implements ITypeConverter<Duration> {

  private static final Pattern SIMPLE = Pattern.compile("(\\d{1,9})(ms|[dhms])");

  @Override
  public Duration convert(String value) {
    Duration duration = parse(value.trim());
    if (duration.isZero() || duration.isNegative()) {
      throw new TypeConversionException("'" + value + "' (expected: a positive duration)");
    }
    return duration;
  }

  private static Duration parse(String value) {
    Matcher simple = SIMPLE.matcher(value.toLowerCase(Locale.ROOT));
    if (simple.matches()) {
      long amount = Long.parseLong(simple.group(1));
      return switch (simple.group(2)) {
        case "d" -> Duration.ofDays(amount);
        case "h" -> Duration.ofHours(amount);
        case "m" -> Duration.ofMinutes(amount);
        case "ms" -> Duration.ofMillis(amount);
        default -> Duration.ofSeconds(amount);
      };
    }
    try {
      return Duration.parse(value);
    } catch (DateTimeParseException e) {
      throw new TypeConversionException(
          "'" + value + "' (expected: a duration like 365d, 12h, 30m, 90s, 500ms or PT1H30M)");
    }
  }
}
