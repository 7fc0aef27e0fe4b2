package dev.meshwork.observability.internal;

import java.io.OutputStream;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.StreamHandler;

/**
 * Writes records to a stream (standard error in production) and flushes each one, like JUL's
 * {@link java.util.logging.ConsoleHandler}, but with any formatter and stream. Formatting happens
 * on the logging thread, which the correlation ids depend on.
 */
public final class ConsoleLogHandler extends StreamHandler {

  private final boolean closeStream;

  /** A handler writing to standard error, which it never closes. */
  public static ConsoleLogHandler stderr(Formatter formatter) {
    return new ConsoleLogHandler(System.err, formatter, false);
  }

  /** A handler writing to {@code out} (tests use a buffer). */
  public ConsoleLogHandler(OutputStream out, Formatter formatter) {
    this(out, formatter, true);
  }

  private ConsoleLogHandler(OutputStream out, Formatter formatter, boolean closeStream) {
    super(out, formatter);
    this.closeStream = closeStream;
    setLevel(Level.ALL);
  }

  @Override
  public synchronized void publish(LogRecord record) {
    super.publish(record);
    flush();
  }

  @Override
  public synchronized void close() {
    // JUL's LogManager closes every handler from its own shutdown hook; closing standard error
    // there would silence whatever else still prints during exit.
    if (closeStream) {
      super.close();
    } else {
      flush();
    }
  }
}
