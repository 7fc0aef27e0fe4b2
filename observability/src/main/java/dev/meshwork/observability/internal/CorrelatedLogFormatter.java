package dev.meshwork.observability.internal;

import static java.util.Objects.requireNonNull;

import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.context.Context;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/**
 * Formats a JUL record as one line:
 *
 * <pre>
 * 2026-11-23T02:13:22.123Z INFO  [registry] dev.meshwork.X - msg trace_id=.. span_id=.. run_id=..
 * </pre>
 *
 * <p>The ids come from the OpenTelemetry context current on the calling thread, so this formatter
 * must run on the thread that logged (as {@link java.util.logging.StreamHandler} does); fields
 * without a value are left out. Line breaks inside the message are escaped so one record stays one
 * line for log shippers; a thrown exception follows as its tab-indented stack trace, which
 * multi-line parsers already join to the record.
 */
public final class CorrelatedLogFormatter extends Formatter {

  /** The baggage entry that carries the workflow run id across threads and gRPC hops. */
  public static final String RUN_ID_KEY = "meshwork.run.id";

  // Fixed millisecond precision: ISO_INSTANT drops trailing zeros, which breaks column alignment.
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private final String serviceName;

  /** A formatter labelling every line with {@code serviceName}. */
  public CorrelatedLogFormatter(String serviceName) {
    this.serviceName = requireNonNull(serviceName, "serviceName");
  }

  @Override
  public String format(LogRecord record) {
    StringBuilder line = new StringBuilder(160);
    TIME.formatTo(record.getInstant(), line);
    line.append(' ');
    String level = LogLevels.shortName(record.getLevel());
    line.append(level);
    for (int i = level.length(); i < 5; i++) {
      line.append(' ');
    }
    line.append(" [").append(serviceName).append("] ");
    line.append(record.getLoggerName() == null ? "-" : record.getLoggerName());
    line.append(" - ");
    appendEscaped(line, formatMessage(record));
    appendCorrelation(line, Context.current());
    line.append(System.lineSeparator());
    if (record.getThrown() != null) {
      StringWriter trace = new StringWriter();
      record.getThrown().printStackTrace(new PrintWriter(trace));
      line.append(trace);
    }
    return line.toString();
  }

  private static void appendCorrelation(StringBuilder line, Context context) {
    SpanContext span = Span.fromContext(context).getSpanContext();
    if (span.isValid()) {
      line.append(" trace_id=").append(span.getTraceId());
      line.append(" span_id=").append(span.getSpanId());
    }
    String runId = Baggage.fromContext(context).getEntryValue(RUN_ID_KEY);
    if (runId != null && !runId.isEmpty()) {
      line.append(" run_id=");
      appendEscaped(line, runId);
    }
  }

  private static void appendEscaped(StringBuilder line, String text) {
    if (text == null) {
      return;
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\n') {
        line.append("\\n");
      } else if (c == '\r') {
        line.append("\\r");
      } else {
        line.append(c);
      }
    }
  }
}
