package dev.meshwork.observability;

import static java.util.Objects.requireNonNull;

import dev.meshwork.observability.internal.ConsoleLogHandler;
import dev.meshwork.observability.internal.CorrelatedLogFormatter;
import dev.meshwork.observability.internal.ExportFailureThrottle;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;

/**
 * Structured, correlated logging for java.util.logging: one line per record,
 *
 * <pre>
 * 2026-11-23T02:13:22.123Z INFO  [registry] dev.meshwork.X - msg trace_id=.. span_id=.. run_id=..
 * </pre>
 *
 * <p>The trace and span ids are those of the span current when the line is logged (inside a gRPC
 * call: the call's server span). The run id is the {@value #RUN_ID_KEY} entry of the current
 * OpenTelemetry {@link Baggage}; because baggage travels with the W3C {@code baggage} header, a run
 * id set by the orchestrator also appears in the logs of the agents it calls.
 *
 * <pre>{@code
 * try (Scope ignored = MeshLogging.runIdScope(run.id())) {
 *   LOG.info("starting");            // ... run_id=<run.id()>
 *   agent.invoke(request);           // the agent's lines carry run_id too
 * }
 * }</pre>
 */
public final class MeshLogging {

  /** The baggage key that holds the workflow run id. */
  public static final String RUN_ID_KEY = CorrelatedLogFormatter.RUN_ID_KEY;

  private MeshLogging() {}

  /**
   * Replaces the root logger's handlers with one that writes the one-line format to standard
   * error, and sets the root level to INFO. Telemetry export failures (no collector listening)
   * are reported once per kind every five minutes, in one line. {@link MeshTelemetry#init} calls
   * this.
   */
  public static void install(String serviceName) {
    install(serviceName, Level.INFO);
  }

  /** Like {@link #install(String)} with the root level {@code level}. */
  public static void install(String serviceName, Level level) {
    requireNonNull(level, "level");
    Logger root = LogManager.getLogManager().getLogger("");
    for (Handler handler : root.getHandlers()) {
      root.removeHandler(handler);
    }
    Handler handler = ConsoleLogHandler.stderr(formatter(serviceName));
    handler.setFilter(new ExportFailureThrottle());
    root.addHandler(handler);
    root.setLevel(level);
  }

  /** The one-line formatter, for processes that attach their own handlers (files, tests). */
  public static java.util.logging.Formatter formatter(String serviceName) {
    return new CorrelatedLogFormatter(serviceName);
  }

  /**
   * Makes {@code runId} the current run id until the returned scope is closed (on the same
   * thread). Use {@link Context#current()}{@code .wrap(...)} to carry it to other threads.
   */
  public static Scope runIdScope(String runId) {
    return withRunId(Context.current(), runId).makeCurrent();
  }

  /** {@code context} with {@code runId} as its run id. */
  public static Context withRunId(Context context, String runId) {
    requireNonNull(context, "context");
    requireNonNull(runId, "runId");
    Baggage baggage = Baggage.fromContext(context).toBuilder().put(RUN_ID_KEY, runId).build();
    return context.with(baggage);
  }

  /** Runs {@code action} with {@code runId} as the current run id. */
  @SuppressWarnings("try") // the scope is only opened and closed
  public static void withRunId(String runId, Runnable action) {
    requireNonNull(action, "action");
    try (Scope ignored = runIdScope(runId)) {
      action.run();
    }
  }

  /** Computes {@code action} with {@code runId} as the current run id. */
  @SuppressWarnings("try") // the scope is only opened and closed
  public static <T> T withRunId(String runId, Supplier<T> action) {
    requireNonNull(action, "action");
    try (Scope ignored = runIdScope(runId)) {
      return action.get();
    }
  }

  /** The current run id, if one is set. */
  public static Optional<String> currentRunId() {
    String value = Baggage.current().getEntryValue(RUN_ID_KEY);
    return value == null || value.isEmpty() ? Optional.empty() : Optional.of(value);
  }
}
