package dev.meshwork.agent.internal;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingClientCall.SimpleForwardingClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.opentelemetry.api.trace.Span;

/**
 * Carries the W3C trace context ({@code traceparent}, {@code tracestate}) of an incoming call to
 * the calls a handler makes when this process does not trace itself, so that agent-to-agent calls
 * stay in the caller's trace anyway. When OpenTelemetry is active (a valid current span), its own
 * interceptors propagate a child span and this one stays out of the way.
 */
public final class TraceHeaders {

  static final Metadata.Key<String> TRACEPARENT =
      Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER);
  static final Metadata.Key<String> TRACESTATE =
      Metadata.Key.of("tracestate", Metadata.ASCII_STRING_MARSHALLER);

  private static final Context.Key<Incoming> KEY = Context.key("meshwork-trace-headers");

  private record Incoming(String traceparent, String tracestate) {}

  private TraceHeaders() {}

  /** Remembers the incoming trace headers in the call's context. */
  public static ServerInterceptor serverInterceptor() {
    return new ServerInterceptor() {
      @Override
      public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
          ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
        String traceparent = headers.get(TRACEPARENT);
        if (traceparent == null) {
          return next.startCall(call, headers);
        }
        Context context =
            Context.current().withValue(KEY, new Incoming(traceparent, headers.get(TRACESTATE)));
        return Contexts.interceptCall(context, call, headers, next);
      }
    };
  }

  /** Adds the remembered trace headers to outgoing calls that carry none. */
  public static ClientInterceptor clientInterceptor() {
    return new ClientInterceptor() {
      @Override
      public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
          MethodDescriptor<ReqT, RespT> method, CallOptions options, Channel next) {
        Incoming incoming = KEY.get();
        if (incoming == null || Span.current().getSpanContext().isValid()) {
          return next.newCall(method, options);
        }
        return new SimpleForwardingClientCall<>(next.newCall(method, options)) {
          @Override
          public void start(Listener<RespT> listener, Metadata headers) {
            if (!headers.containsKey(TRACEPARENT)) {
              headers.put(TRACEPARENT, incoming.traceparent());
              if (incoming.tracestate() != null) {
                headers.put(TRACESTATE, incoming.tracestate());
              }
            }
            super.start(listener, headers);
          }
        };
      }
    };
  }
}
