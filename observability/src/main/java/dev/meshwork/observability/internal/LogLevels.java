package dev.meshwork.observability.internal;

import static java.util.Objects.requireNonNull;

import java.util.Locale;
import java.util.logging.Level;

/**
 * Maps between java.util.logging levels and the names operators know from other ecosystems, both
 * when reading a configured level and when printing one.
 */
public final class LogLevels {

  private LogLevels() {}

  /**
   * Parses a level name: JUL names ({@code INFO}, {@code FINE}, ...) or {@code TRACE}, {@code
   * DEBUG}, {@code WARN}, {@code ERROR}, case-insensitive.
   *
   * @throws IllegalArgumentException for an unknown name
   */
  public static Level parse(String name) {
    requireNonNull(name, "name");
    String upper = name.trim().toUpperCase(Locale.ROOT);
    switch (upper) {
      case "TRACE":
        return Level.FINEST;
      case "DEBUG":
        return Level.FINE;
      case "WARN":
        return Level.WARNING;
      case "ERROR":
        return Level.SEVERE;
      default:
        break;
    }
    try {
      return Level.parse(upper);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "'" + name + "' (expected: TRACE, DEBUG, INFO, WARN, ERROR, OFF or a JUL level)", e);
    }
  }

  /** The at most five letter name printed in log lines: ERROR, WARN, INFO, DEBUG or TRACE. */
  public static String shortName(Level level) {
    int value = level.intValue();
    if (value >= Level.SEVERE.intValue()) {
      return "ERROR";
    }
    if (value >= Level.WARNING.intValue()) {
      return "WARN";
    }
    if (value >= Level.INFO.intValue()) {
      return "INFO";
    }
    if (value >= Level.FINE.intValue()) {
      return "DEBUG";
    }
    return "TRACE";
  }
}
