package dev.meshwork.cli.output;

import com.google.protobuf.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

/** Durations and times as people read them in a terminal. */
public final class HumanFormat {

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

  private HumanFormat() {}

  /** {@code 412 ms}, {@code 1.2 s}, {@code 3m 04s}, {@code 2h 05m}. */
  public static String duration(Duration d) {
    long millis = Math.max(0, d.toMillis());
    if (millis < 1000) {
      return millis + " ms";
    }
    if (millis < 60_000) {
      return String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
    }
    long seconds = millis / 1000;
    if (seconds < 3600) {
      return String.format(Locale.ROOT, "%dm %02ds", seconds / 60, seconds % 60);
    }
    return String.format(Locale.ROOT, "%dh %02dm", seconds / 3600, (seconds % 3600) / 60);
  }

  /** The instant of a proto timestamp. */
  public static Instant instant(Timestamp t) {
    return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
  }

  /** Whether a proto timestamp is set (non-zero). */
  public static boolean isSet(Timestamp t) {
    return t.getSeconds() != 0 || t.getNanos() != 0;
  }

  /** {@code 2026-11-23 02:33:10Z}, or empty for an unset timestamp. */
  public static String time(Timestamp t) {
    return isSet(t) ? TIME.format(instant(t).truncatedTo(ChronoUnit.SECONDS)) : "";
  }

  /** The time between two proto timestamps, or empty unless both are set. */
  public static String between(Timestamp start, Timestamp end) {
    if (!isSet(start) || !isSet(end)) {
      return "";
    }
    return duration(Duration.between(instant(start), instant(end)));
  }
}
