package dev.meshwork.gateway.internal;

import com.linecorp.armeria.common.HttpHeaders;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.grpc.CallOptions;
import io.grpc.Metadata;
import java.util.List;

/**
 * How a call leaves the gateway: on the request's event loop (so the HTTP and gRPC sides never
 * race), with the request's deadline, and with only trace-context headers copied from the client.
 * Everything else the client sent (its API key above all) stays at the edge.
 */
public final class UpstreamCalls {

  /** Client headers worth carrying into the mesh: W3C trace context and a request id. */
  static final List<String> FORWARDED_HEADERS = List.of("traceparent", "tracestate", "x-request-id");

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

  /** The headers of an upstream call made for a transcoded request with gRPC {@code incoming}. */
  public static Metadata forwardedHeaders(Metadata incoming) {
    Metadata out = new Metadata();
    for (String name : FORWARDED_HEADERS) {
      Metadata.Key<String> key = Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER);
      String value = incoming.get(key);
      if (value != null) {
        out.put(key, value);
      }
    }
    return out;
  }

  /** The headers of an upstream call made for an HTTP request with {@code incoming} headers. */
  public static Metadata forwardedHeaders(HttpHeaders incoming) {
    Metadata out = new Metadata();
    for (String name : FORWARDED_HEADERS) {
      String value = incoming.get(name);
      if (value != null) {
        out.put(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER), value);
      }
    }
    return out;
  }
}
