package dev.meshwork.observability.internal;

import static java.util.Objects.requireNonNull;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.MethodDescriptor;
import java.util.function.Supplier;

/**
 * Traces each client call with whatever telemetry is current when the call starts, so channels
 * made before {@code MeshTelemetry.init} (or a test swapping telemetry) still get it.
 */
public final class CurrentClientInterceptor implements ClientInterceptor {

  private final Supplier<ClientInterceptor> current;

  /** Delegates to the interceptor {@code current} supplies at each call. */
  public CurrentClientInterceptor(Supplier<ClientInterceptor> current) {
    this.current = requireNonNull(current, "current");
  }

  @Override
  public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
      MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next) {
    if (UntracedServices.contains(method.getServiceName())) {
      return next.newCall(method, callOptions);
    }
    return current.get().interceptCall(method, callOptions, next);
  }
}
