package dev.meshwork.cli.telemetry;

import static java.util.Objects.requireNonNull;

import dev.meshwork.observability.MeshTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import picocli.CommandLine.ExecutionException;
import picocli.CommandLine.IExecutionStrategy;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * Runs each command inside a span named after it ({@code meshctl run start}), current while the
 * command runs, so the gRPC client spans of its calls are its children and the W3C trace context
 * they send makes it the root of whatever the mesh does for it. A CLIENT span: the command is a
 * client of the mesh. Costs nothing while telemetry is off ({@link CliTelemetry}).
 */
public final class TracedExecution implements IExecutionStrategy {

  /** The command's exit code (OpenTelemetry semantic conventions). */
  static final AttributeKey<Long> EXIT_CODE = AttributeKey.longKey("process.exit.code");

  private final IExecutionStrategy delegate;

  /** Traces what {@code delegate} (normally picocli's {@code RunLast}) executes. */
  public TracedExecution(IExecutionStrategy delegate) {
    this.delegate = requireNonNull(delegate, "delegate");
  }

  @Override
  public int execute(ParseResult parseResult) throws ExecutionException, ParameterException {
    Span span =
        MeshTelemetry.tracer()
            .spanBuilder(commandName(parseResult))
            .setSpanKind(SpanKind.CLIENT)
            .startSpan();
    try (Scope ignored = span.makeCurrent()) {
      int exitCode = delegate.execute(parseResult);
      span.setAttribute(EXIT_CODE, exitCode);
      if (exitCode != 0) {
        span.setStatus(StatusCode.ERROR);
      }
      return exitCode;
    } catch (RuntimeException e) {
      // picocli wraps what the command threw; the cause is the error the user sees.
      Throwable failure =
          e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
      span.recordException(failure);
      span.setStatus(StatusCode.ERROR, String.valueOf(failure.getMessage()));
      throw e;
    } finally {
      span.end();
    }
  }

  /** The qualified name of the subcommand that runs, e.g. {@code meshctl run start}. */
  static String commandName(ParseResult parseResult) {
    ParseResult last = parseResult;
    while (last.hasSubcommand()) {
      last = last.subcommand();
    }
    return last.commandSpec().qualifiedName();
  }
}
