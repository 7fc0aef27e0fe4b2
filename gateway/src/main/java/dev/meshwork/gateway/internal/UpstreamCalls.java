package dev.meshwork.gateway.internal;

import com.linecorp.armeria.common.HttpHeaders;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.meshwork.observability.MeshTelemetry;
import io.grpc.CallOptions;
import io.grpc.Metadata;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import java.util.List;
import java.util.function.Function;

/**
 * How a call leaves the gateway: on the request's event loop (so the HTTP and gRPC sides never
 * race), with the request's deadline, inside the HTTP client's trace, and with nothing else the
 * client sent (its API key above all) carried into the mesh.
 *
 * <p>Trace context: with telemetry on, the client's {@code traceparent} is extracted and made
 * current while the call starts, so the mesh channel's tracing interceptor records the gateway's
 * client span as its child and injects the new context. With telemetry off (no propagator), the W3C
 * headers are copied as they came, so a trace still crosses the gateway.
 */
public final class UpstreamCalls {

  /** The W3C trace context headers. */
  static final List<String> TRACE_HEADERS = List.of("traceparent", "tracestate");

  /** Copied as is: lets a client correlate its request with mesh logs. */
  static final String REQUEST_ID = "x-request-id";

  private static final TextMapGetter<Metadata> METADATA =
      getter(
          (carrier) -> carrier.keys(),
          (carrier, key) -> carrier.get(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER)));
  private static final TextMapGetter<HttpHeaders> HTTP =
      getter(
          (carrier) -> carrier.names().stream().map(n -> n.toString()).toList(),
          (carrier, key) -> carrier.get(key));

  private UpstreamCalls() {}

  /** Call options for a call made on behalf of {@code ctx}. */
  public static CallOptions callOptions(ServiceRequestContext ctx, boolean streaming) {
    CallOptions options = CallOptions.DEFAULT.withExecutor(ctx.eventLoop());
    RequestDeadline deadline = ctx.attr(RequestDeadline.KEY);
    if (deadline == null) {
      return options;
    }
    // A stream (a watch) stays open until the client leaves, unless the client asked otherwise.
    if (streaming && !deadline.explicit()) {
      return options;
    }
    return options.withDeadline(deadline.deadline());
  }

  /** The trace context of a transcoded request, to make current while its call starts. */
  public static Context traceContext(Metadata incoming) {
    return propagator().extract(Context.root(), incoming, METADATA);
  }

  /** The trace context of an HTTP request, to make current while its call starts. */
  public static Context traceContext(HttpHeaders incoming) {
    return propagator().extract(Context.root(), incoming, HTTP);
  }

  /** The headers of an upstream call made for a transcoded request with gRPC {@code incoming}. */
  public static Metadata forwardedHeaders(Metadata incoming) {
    return forwarded(name -> incoming.get(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER)));
  }

  /** The headers of an upstream call made for an HTTP request with {@code incoming} headers. */
  public static Metadata forwardedHeaders(HttpHeaders incoming) {
    return forwarded(incoming::get);
  }

  private static Metadata forwarded(Function<String, String> incoming) {
    Metadata out = new Metadata();
    copy(incoming, REQUEST_ID, out);
    if (propagator().fields().isEmpty()) {
      TRACE_HEADERS.forEach(name -> copy(incoming, name, out));
    }
    return out;
  }

  private static void copy(Function<String, String> incoming, String name, Metadata out) {
    String value = incoming.apply(name);
    if (value != null) {
      out.put(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER), value);
    }
  }

  private static TextMapPropagator propagator() {
    return MeshTelemetry.openTelemetry().getPropagators().getTextMapPropagator();
  }

  private static <C> TextMapGetter<C> getter(
      Function<C, Iterable<String>> keys, java.util.function.BiFunction<C, String, String> get) {
    return new TextMapGetter<>() {
      @Override
      public Iterable<String> keys(C carrier) {
        return keys.apply(carrier);
      }

      @Override
      public String get(C carrier, String key) {
        return carrier == null ? null : get.apply(carrier, key);
      }
    };
  }
}
