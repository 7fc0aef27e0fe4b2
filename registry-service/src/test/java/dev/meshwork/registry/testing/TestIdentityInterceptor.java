package dev.meshwork.registry.testing;

import dev.meshwork.core.CallerIdentity;
import dev.meshwork.core.MeshIdentity;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;

/**
 * Stands in for the mTLS authorization interceptor: takes the caller's identity from an {@code
 * x-test-identity: <kind>/<name>} header. Without the header the call has no identity (like an
 * insecure dev server).
 */
public final class TestIdentityInterceptor implements ServerInterceptor {

  /** The header carrying {@code <kind>/<name>}. */
  public static final Metadata.Key<String> HEADER =
      Metadata.Key.of("x-test-identity", Metadata.ASCII_STRING_MARSHALLER);

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    String value = headers.get(HEADER);
    if (value == null) {
      return next.startCall(call, headers);
    }
    MeshIdentity identity = MeshIdentity.parseKindName(MeshIdentity.DEFAULT_TRUST_DOMAIN, value);
    Context context = Context.current().withValue(CallerIdentity.KEY, identity);
    return Contexts.interceptCall(context, call, headers, next);
  }
}
