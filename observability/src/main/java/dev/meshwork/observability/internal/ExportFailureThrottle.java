package dev.meshwork.observability.internal;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.logging.Filter;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * Keeps the OpenTelemetry exporters' failure reports to one short line per kind per window.
 *
 * <p>Without a collector the OTLP exporters log a SEVERE record with a 25-line stack trace on
 * every batch (spans every few seconds, metrics every minute) and the metric reader adds its own
 * warning. Running without a collector is a normal development setup, not an error of the
 * service: the first failure of each kind is reported as a one-line WARN with its cause, and
 * repeats within the window are left out.
 */
public final class ExportFailureThrottle implements Filter {

  /** How long repeats of one failure are left out. */
  public static final Duration WINDOW = Duration.ofMinutes(5);

  private final LongSupplier nanoClock;
  private final long windowNanos;
  private final Map<String, Long> lastReported = new ConcurrentHashMap<>();

  /** A throttle over the system clock. */
  public ExportFailureThrottle() {
    this(System::nanoTime, WINDOW);
  }

  /** A throttle over {@code nanoClock} (tests move time themselves). */
  public ExportFailureThrottle(LongSupplier nanoClock, Duration window) {
    this.nanoClock = requireNonNull(nanoClock, "nanoClock");
    this.windowNanos = requireNonNull(window, "window").toNanos();
  }

  @Override
  public boolean isLoggable(LogRecord record) {
    if (!isExportFailure(record)) {
      return true;
    }
    String key = record.getLoggerName() + '|' + firstSentence(record.getMessage());
    long now = nanoClock.getAsLong();
    Long previous = lastReported.get(key);
    if (previous != null && now - previous < windowNanos) {
      return false;
    }
    lastReported.put(key, now);
    shorten(record);
    return true;
  }

  private static boolean isExportFailure(LogRecord record) {
    String logger = record.getLoggerName();
    String message = record.getMessage();
    return logger != null
        && logger.startsWith("io.opentelemetry.")
        && record.getLevel().intValue() >= Level.WARNING.intValue()
        && message != null
        && message.toLowerCase(Locale.ROOT).contains("export");
  }

  // A handler filter may adjust the record it lets through: JUL hands each handler the same
  // record, and this filter sits on the only handler Meshwork installs.
  private void shorten(LogRecord record) {
    StringBuilder message = new StringBuilder(record.getMessage());
    Throwable thrown = record.getThrown();
    if (thrown != null) {
      message.append(" (").append(thrown).append(')');
    }
    message
        .append(" [telemetry export failing; is the collector running? repeats hidden for ")
        .append(windowNanos / 60_000_000_000L)
        .append("m]");
    record.setMessage(message.toString());
    record.setParameters(null);
    record.setThrown(null);
    record.setLevel(Level.WARNING);
  }

  private static String firstSentence(String message) {
    int dot = message.indexOf('.');
    return dot < 0 ? message : message.substring(0, dot);
  }
}
