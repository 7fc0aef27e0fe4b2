package dev.meshwork.observability.internal;

import static java.util.Objects.requireNonNull;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall.SimpleForwardingClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.util.function.Supplier;

/**
 * Injects the trace context current when a call is created (W3C {@code traceparent} and baggage)
 * into its headers, without a client span or client metrics of its own: for callers that already
 * span each call themselves, such as the orchestrator's attempt spans, where a client span would
 * be a second span of the same work.
 */
public final class PropagatingClientInterceptor implements ClientInterceptor {

  private static final TextMapSetter<Metadata> SETTER =
      (headers, key, value) ->
          headers.put(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER), value);

  private final Supplier<OpenTelemetry> openTelemetry;

  /** Injects with the propagators of the telemetry {@code openTelemetry} supplies at each call. */
  public PropagatingClientInterceptor(Supplier<OpenTelemetry> openTelemetry) {
    this.openTelemetry = requireNonNull(openTelemetry, "openTelemetry");
  }

  @Override
  public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
      MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next) {
    // Captured now: the call may be started on another thread, outside the caller's scope.
    Context context = Context.current();
    return new SimpleForwardingClientCall<>(next.newCall(method, callOptions)) {
      @Override
      public void start(Listener<RespT> listener, Metadata headers) {
        openTelemetry
            .get()
            .getPropagators()
            .getTextMapPropagator()
            .inject(context, headers, SETTER);
        super.start(listener, headers);
      }
    };
  }
}
