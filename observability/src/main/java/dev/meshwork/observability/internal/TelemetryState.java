package dev.meshwork.observability.internal;

import static java.util.Objects.requireNonNull;

import io.grpc.ClientInterceptor;
import io.grpc.ServerInterceptor;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.instrumentation.grpc.v1_6.GrpcTelemetry;
import io.opentelemetry.sdk.metrics.data.MetricData;
import java.net.URI;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What the process currently traces and measures with: the OpenTelemetry instance, the gRPC
 * interceptors built over it, its own metrics, and how to shut it down.
 *
 * @param serviceName the service name it was set up for
 * @param openTelemetry the instance handed to instrumentation
 * @param serverInterceptor gRPC server instrumentation over {@code openTelemetry}
 * @param clientInterceptor gRPC client instrumentation over {@code openTelemetry}
 * @param selfMetrics collects the SDK's own counters (empty when unavailable)
 * @param metricsEndpoint the Prometheus scrape URL, if one is served
 * @param shutdown flushes and stops within the given time; a no-op for borrowed instances
 */
public record TelemetryState(
    String serviceName,
    OpenTelemetry openTelemetry,
    ServerInterceptor serverInterceptor,
    ClientInterceptor clientInterceptor,
    Supplier<Collection<MetricData>> selfMetrics,
    Optional<URI> metricsEndpoint,
    Stopper shutdown) {

  /** Flushes and stops telemetry. */
  @FunctionalInterface
  public interface Stopper {
    /** Flushes and stops within {@code timeout}; true when everything was exported. */
    boolean stop(Duration timeout);
  }

  /** Validates the parts. */
  public TelemetryState {
    requireNonNull(serviceName, "serviceName");
    requireNonNull(openTelemetry, "openTelemetry");
    requireNonNull(serverInterceptor, "serverInterceptor");
    requireNonNull(clientInterceptor, "clientInterceptor");
    requireNonNull(selfMetrics, "selfMetrics");
    requireNonNull(metricsEndpoint, "metricsEndpoint");
    requireNonNull(shutdown, "shutdown");
  }

  /**
   * A copy whose client interceptor only propagates the trace context: for an SDK that records
   * nothing, where a client span per call would be built, timed and measured only to be dropped.
   */
  public TelemetryState withoutClientSpans() {
    return new TelemetryState(
        serviceName,
        openTelemetry,
        serverInterceptor,
        new PropagatingClientInterceptor(() -> openTelemetry),
        selfMetrics,
        metricsEndpoint,
        shutdown);
  }

  /** Before {@code init}: everything works and records nothing. */
  public static TelemetryState noop() {
    return borrowed("unknown", OpenTelemetry.noop());
  }

  /** Over an instance someone else owns and shuts down (tests). */
  public static TelemetryState borrowed(String serviceName, OpenTelemetry openTelemetry) {
    return over(serviceName, openTelemetry, List::of, Optional.empty(), timeout -> true);
  }

  /** Over {@code openTelemetry}, with interceptors built for it. */
  public static TelemetryState over(
      String serviceName,
      OpenTelemetry openTelemetry,
      Supplier<Collection<MetricData>> selfMetrics,
      Optional<URI> metricsEndpoint,
      Stopper shutdown) {
    GrpcTelemetry grpc =
        GrpcTelemetry.builder(openTelemetry)
            // One event per message doubles span size for streams and costs throughput; the
            // span's duration and status carry what a unary call needs.
            .setEmitMessageEvents(false)
            .build();
    return new TelemetryState(
        serviceName,
        openTelemetry,
        grpc.createServerInterceptor(),
        grpc.createClientInterceptor(),
        selfMetrics,
        metricsEndpoint,
        shutdown);
  }
}
