package dev.meshwork.core.internal;

import dev.meshwork.core.GrpcErrors;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.StatusRuntimeException;

/**
 * Lets service methods simply throw: an exception escaping a handler is answered with the status
 * {@link GrpcErrors} maps it to, instead of grpc-java's bare {@code UNKNOWN}.
 */
public final class ErrorMappingInterceptor implements ServerInterceptor {

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    ServerCall.Listener<ReqT> delegate;
    try {
      delegate = next.startCall(call, headers);
    } catch (RuntimeException e) {
      close(call, e);
      return new ServerCall.Listener<>() {};
    }
    return new SimpleForwardingServerCallListener<>(delegate) {
      @Override
      public void onMessage(ReqT message) {
        try {
          super.onMessage(message);
        } catch (RuntimeException e) {
          close(call, e);
        }
      }

      @Override
      public void onHalfClose() {
        try {
          super.onHalfClose();
        } catch (RuntimeException e) {
          close(call, e);
        }
      }
    };
  }

  private static void close(ServerCall<?, ?> call, RuntimeException failure) {
    StatusRuntimeException status = GrpcErrors.toStatusException(failure);
    Metadata trailers = status.getTrailers() == null ? new Metadata() : status.getTrailers();
    try {
      call.close(status.getStatus(), trailers);
    } catch (IllegalStateException alreadyClosed) {
      // The handler closed the call before throwing; nothing more to tell the client.
    }
  }
}
