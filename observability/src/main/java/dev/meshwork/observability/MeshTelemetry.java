package dev.meshwork.observability;

import static java.util.Objects.requireNonNull;

import dev.meshwork.observability.internal.CurrentClientInterceptor;
import dev.meshwork.observability.internal.CurrentServerInterceptor;
import dev.meshwork.observability.internal.ExitHook;
import dev.meshwork.observability.internal.PropagatingClientInterceptor;
import dev.meshwork.observability.internal.SdkBootstrap;
import dev.meshwork.observability.internal.SpanProcessorStats;
import dev.meshwork.observability.internal.TelemetryState;
import io.grpc.ClientInterceptor;
import io.grpc.ServerInterceptor;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.trace.Tracer;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * The one entry point to Meshwork telemetry: OpenTelemetry traces and metrics, gRPC
 * instrumentation and correlated logs, configured once per process.
 *
 * <pre>{@code
 * public static void main(String[] args) {
 *   MeshTelemetry.init("registry");   // first line: logging, SDK, exit hook
 *   ...                               // MeshServer / MeshChannels add the interceptors
 * }
 * }</pre>
 *
 * <p>{@link #init(String)} reads the standard {@code OTEL_*} variables through the SDK
 * autoconfigure module (for example {@code OTEL_SERVICE_NAME}, {@code OTEL_RESOURCE_ATTRIBUTES},
 * {@code OTEL_EXPORTER_OTLP_ENDPOINT}, {@code OTEL_TRACES_SAMPLER}, {@code OTEL_BSP_*}, {@code
 * OTEL_SDK_DISABLED}), exports spans and metrics over OTLP/gRPC to {@code http://127.0.0.1:4317}
 * unless told otherwise, and propagates W3C trace context and baggage. A missing collector costs
 * only a few log lines: the exporters retry quietly in the background.
 *
 * <p>Until {@code init} runs, every method here works and records nothing; the interceptors pick
 * up the SDK when it arrives, so the order of {@code init} and server construction does not
 * matter. Instruments from {@link #meter()} and tracers from {@link #tracer()} are bound to the
 * telemetry current when they are created, so create them after {@code init}.
 */
public final class MeshTelemetry {

  private static final Logger LOG = Logger.getLogger(MeshTelemetry.class.getName());
  private static final String SCOPE = "dev.meshwork";
  private static final Duration FLUSH_TIMEOUT = Duration.ofSeconds(5);

  private static final ServerInterceptor SERVER_INTERCEPTOR =
      new CurrentServerInterceptor(() -> state().serverInterceptor());
  private static final ClientInterceptor CLIENT_INTERCEPTOR =
      new CurrentClientInterceptor(() -> state().clientInterceptor());
  private static final ClientInterceptor PROPAGATING_INTERCEPTOR =
      new PropagatingClientInterceptor(MeshTelemetry::openTelemetry);

  private static volatile TelemetryState state = TelemetryState.noop();
  private static boolean configured;

  private MeshTelemetry() {}

  /**
   * Sets the process up for {@code serviceName} from the environment: {@code OTEL_*} plus {@code
   * MESHWORK_METRICS_PORT}, {@code MESHWORK_METRICS_HOST} and {@code MESHWORK_LOG_LEVEL} (see
   * {@link TelemetryOptions#fromEnvironment(String)}).
   *
   * @return the OpenTelemetry instance, also registered as {@link GlobalOpenTelemetry}
   * @throws IllegalArgumentException for a malformed {@code MESHWORK_*} value
   * @throws IllegalStateException when the metrics port cannot be bound
   */
  public static OpenTelemetry init(String serviceName) {
    return init(TelemetryOptions.fromEnvironment(serviceName));
  }

  /**
   * Sets the process up: installs the one-line log format, starts the SDK (OTLP exporters, batch
   * span processor, the Prometheus endpoint when a metrics port is set), registers it as {@link
   * GlobalOpenTelemetry}, and flushes it at JVM exit after the {@link #onExit} actions. Only the
   * first call configures; later calls return the same instance.
   *
   * @throws IllegalStateException when the metrics port cannot be bound
   */
  public static synchronized OpenTelemetry init(TelemetryOptions options) {
    requireNonNull(options, "options");
    if (configured) {
      if (!state.serviceName().equals(options.serviceName())) {
        LOG.fine(
            () -> "telemetry already set up for " + state.serviceName() + "; ignoring init for "
                + options.serviceName());
      }
      return state.openTelemetry();
    }
    if (options.installLogging()) {
      MeshLogging.install(options.serviceName(), options.logLevel());
    }
    TelemetryState started = SdkBootstrap.start(options);
    registerGlobal(started.openTelemetry());
    state = started;
    configured = true;
    ExitHook.jvm().flushWith(MeshTelemetry::shutdown);
    return started.openTelemetry();
  }

  /**
   * Uses {@code openTelemetry} (typically an SDK with in-memory exporters) until {@link
   * #shutdown()}; the caller owns and closes it. For tests.
   */
  public static synchronized void useForTesting(OpenTelemetry openTelemetry) {
    requireNonNull(openTelemetry, "openTelemetry");
    state = TelemetryState.borrowed("test", openTelemetry);
    configured = true;
  }

  /**
   * Flushes pending spans and metrics (waiting at most five seconds), stops the exporters and the
   * Prometheus endpoint, and returns to the no-op state; a later {@link #init} configures anew.
   * Called by the exit hook; idempotent.
   */
  public static void shutdown() {
    TelemetryState stopping;
    synchronized (MeshTelemetry.class) {
      stopping = state;
      state = TelemetryState.noop();
      configured = false;
    }
    if (!stopping.shutdown().stop(FLUSH_TIMEOUT)) {
      LOG.fine("telemetry flush incomplete at shutdown (collector unreachable or slow)");
    }
  }

  /**
   * Runs {@code action} when the JVM exits, before telemetry is flushed, so the spans of whatever
   * the action drains (a gRPC server's in-flight calls) are still exported. Actions run in
   * registration order.
   */
  public static void onExit(Runnable action) {
    ExitHook.jvm().beforeFlush(action);
  }

  /** The current OpenTelemetry instance (no-op before {@link #init}). */
  public static OpenTelemetry openTelemetry() {
    return state.openTelemetry();
  }

  /** A tracer for Meshwork's own spans (runs, steps, attempts). */
  public static Tracer tracer() {
    return state.openTelemetry().getTracer(SCOPE);
  }

  /** A meter for Meshwork's own metrics; see also {@link MeshMetrics}. */
  public static Meter meter() {
    return state.openTelemetry().getMeter(SCOPE);
  }

  /**
   * gRPC server instrumentation: extracts W3C trace context and baggage, records a server span
   * and the {@code rpc.server.*} metrics per call, and makes the span current for the handler.
   * Health and reflection calls pass through untraced. Install it outermost so it also sees calls
   * that authorization rejects.
   */
  public static ServerInterceptor serverInterceptor() {
    return SERVER_INTERCEPTOR;
  }

  /**
   * gRPC client instrumentation: records a client span and the {@code rpc.client.*} metrics per
   * call and injects W3C trace context and baggage into the request headers.
   */
  public static ClientInterceptor clientInterceptor() {
    return CLIENT_INTERCEPTOR;
  }

  /**
   * gRPC client propagation only: injects the current W3C trace context and baggage into the
   * request headers, and records no client span or client metrics. For callers that span each call
   * themselves (a client span under it would repeat it).
   */
  public static ClientInterceptor propagatingClientInterceptor() {
    return PROPAGATING_INTERCEPTOR;
  }

  /**
   * Spans the batch span processor has dropped since start because its queue was full (0 while
   * the exporter keeps up, and always 0 when telemetry is off or borrowed).
   */
  public static long droppedSpans() {
    return SpanProcessorStats.droppedSpans(state.selfMetrics().get());
  }

  /** Spans the batch span processor has handed to the exporter since start. */
  public static long processedSpans() {
    return SpanProcessorStats.processedSpans(state.selfMetrics().get());
  }

  /** The Prometheus scrape URL, when a metrics port is configured. */
  public static Optional<URI> metricsEndpoint() {
    return state.metricsEndpoint();
  }

  private static TelemetryState state() {
    return state;
  }

  private static void registerGlobal(OpenTelemetry openTelemetry) {
    try {
      if (!GlobalOpenTelemetry.isSet()) {
        GlobalOpenTelemetry.set(openTelemetry);
        return;
      }
    } catch (IllegalStateException raced) {
      // Another thread set it between the check and the set; same outcome as below.
    }
    LOG.warning(
        "GlobalOpenTelemetry was already set (a library used it before MeshTelemetry.init); "
            + "Meshwork instrumentation uses its own instance regardless");
  }
}
