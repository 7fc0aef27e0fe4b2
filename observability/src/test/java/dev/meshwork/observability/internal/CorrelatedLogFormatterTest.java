package dev.meshwork.observability.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshwork.observability.MeshLogging;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.io.IOException;
import java.time.Instant;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

class CorrelatedLogFormatterTest {

  private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String SPAN_ID = "00f067aa0ba902b7";

  private final CorrelatedLogFormatter formatter = new CorrelatedLogFormatter("registry");

  @Test
  void format_outsideSpan_printsTimeLevelServiceLoggerAndMessageOnly() {
    String line = formatter.format(record(Level.INFO, "serving on 7001"));

    assertThat(line)
        .isEqualTo(
            "2026-11-23T02:13:22.120Z INFO  [registry] dev.meshwork.X - serving on 7001"
                + System.lineSeparator());
  }

  @Test
  @SuppressWarnings("try")
  void format_insideSpanAndRun_appendsTraceSpanAndRunIds() {
    SpanContext span =
        SpanContext.create(TRACE_ID, SPAN_ID, TraceFlags.getSampled(), TraceState.getDefault());
    Context context = MeshLogging.withRunId(Context.root().with(Span.wrap(span)), "run-9");

    String line;
    try (Scope ignored = context.makeCurrent()) {
      line = formatter.format(record(Level.WARNING, "retrying"));
    }

    assertThat(line.strip())
        .isEqualTo(
            "2026-11-23T02:13:22.120Z WARN  [registry] dev.meshwork.X - retrying"
                + " trace_id=" + TRACE_ID + " span_id=" + SPAN_ID + " run_id=run-9");
  }

  @Test
  void format_multiLineMessage_staysOnOneLine() {
    String line = formatter.format(record(Level.INFO, "a\nb\r\nc"));

    assertThat(line).endsWith("- a\\nb\\r\\nc" + System.lineSeparator());
    assertThat(line.strip()).doesNotContain("\n");
  }

  @Test
  void format_parameters_areSubstituted() {
    LogRecord record = record(Level.INFO, "instance {0} of {1}");
    record.setParameters(new Object[] {"i-1", "echo"});

    assertThat(formatter.format(record)).contains("- instance i-1 of echo");
  }

  @Test
  void format_levels_useShortCommonNames() {
    assertThat(formatter.format(record(Level.SEVERE, "m"))).contains(" ERROR [registry] ");
    assertThat(formatter.format(record(Level.FINE, "m"))).contains(" DEBUG [registry] ");
    assertThat(formatter.format(record(Level.FINEST, "m"))).contains(" TRACE [registry] ");
  }

  @Test
  void format_withThrowable_appendsStackTraceAfterTheLine() {
    LogRecord record = record(Level.SEVERE, "store failed");
    record.setThrown(new IOException("disk full"));

    String[] lines = formatter.format(record).split(System.lineSeparator());

    assertThat(lines[0]).endsWith("- store failed");
    assertThat(lines[1]).isEqualTo("java.io.IOException: disk full");
    assertThat(lines[2]).startsWith("\tat ");
  }

  private static LogRecord record(Level level, String message) {
    LogRecord record = new LogRecord(level, message);
    record.setLoggerName("dev.meshwork.X");
    record.setInstant(Instant.parse("2026-11-23T02:13:22.120Z"));
    return record;
  }
}
