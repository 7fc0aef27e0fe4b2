package dev.meshwork.observability.internal;

import static java.util.Objects.requireNonNull;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.util.function.Supplier;

/**
 * Traces each server call with whatever telemetry is current when the call arrives, so a server
 * built before {@code MeshTelemetry.init} (or a test swapping telemetry) still gets it.
 */
public final class CurrentServerInterceptor implements ServerInterceptor {

  private final Supplier<ServerInterceptor> current;

  /** Delegates to the interceptor {@code current} supplies at each call. */
  public CurrentServerInterceptor(Supplier<ServerInterceptor> current) {
    this.current = requireNonNull(current, "current");
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    if (UntracedServices.contains(call.getMethodDescriptor().getServiceName())) {
      return next.startCall(call, headers);
    }
    return current.get().interceptCall(call, headers, next);
  }
}
