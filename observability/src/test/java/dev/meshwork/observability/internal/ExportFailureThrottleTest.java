package dev.meshwork.observability.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

class ExportFailureThrottleTest {

  private static final String EXPORTER = "io.opentelemetry.exporter.internal.grpc.GrpcExporter";

  private final AtomicLong now = new AtomicLong();
  private final ExportFailureThrottle throttle =
      new ExportFailureThrottle(now::get, Duration.ofMinutes(5));

  @Test
  void isLoggable_firstExportFailure_passesAsOneLineWarning() {
    LogRecord record = failure("Failed to export spans. The request could not be executed.");

    assertThat(throttle.isLoggable(record)).isTrue();
    assertThat(record.getLevel()).isEqualTo(Level.WARNING);
    assertThat(record.getThrown()).isNull();
    assertThat(record.getMessage())
        .startsWith(
            "Failed to export spans. The request could not be executed."
                + " (java.net.ConnectException: Failed to connect to /127.0.0.1:4317)")
        .contains("is the collector running?");
  }

  @Test
  void isLoggable_repeatWithinWindow_isLeftOut() {
    throttle.isLoggable(failure("Failed to export spans. Again."));
    now.addAndGet(Duration.ofMinutes(4).toNanos());

    assertThat(throttle.isLoggable(failure("Failed to export spans. Again."))).isFalse();
  }

  @Test
  void isLoggable_repeatAfterWindow_passesAgain() {
    throttle.isLoggable(failure("Failed to export spans. Again."));
    now.addAndGet(Duration.ofMinutes(6).toNanos());

    assertThat(throttle.isLoggable(failure("Failed to export spans. Again."))).isTrue();
  }

  @Test
  void isLoggable_differentSignal_isReportedSeparately() {
    throttle.isLoggable(failure("Failed to export spans. x"));

    assertThat(throttle.isLoggable(failure("Failed to export metrics. x"))).isTrue();
  }

  @Test
  void isLoggable_unrelatedRecords_passUntouched() {
    LogRecord ours = new LogRecord(Level.SEVERE, "export of run failed");
    ours.setLoggerName("dev.meshwork.orchestrator.Engine");
    LogRecord info = new LogRecord(Level.INFO, "Exporter started");
    info.setLoggerName(EXPORTER);

    assertThat(throttle.isLoggable(ours)).isTrue();
    assertThat(throttle.isLoggable(ours)).isTrue();
    assertThat(ours.getLevel()).isEqualTo(Level.SEVERE);
    assertThat(throttle.isLoggable(info)).isTrue();
    assertThat(info.getMessage()).isEqualTo("Exporter started");
  }

  private static LogRecord failure(String message) {
    LogRecord record = new LogRecord(Level.SEVERE, message);
    record.setLoggerName(EXPORTER);
    record.setThrown(new ConnectException("Failed to connect to /127.0.0.1:4317"));
    return record;
  }
}
