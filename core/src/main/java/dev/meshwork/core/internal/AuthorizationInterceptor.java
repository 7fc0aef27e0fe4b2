package dev.meshwork.core.internal;

import static java.util.Objects.requireNonNull;

import dev.meshwork.core.AuthorizationPolicy;
import dev.meshwork.core.CallerIdentity;
import dev.meshwork.core.MeshIdentities;
import dev.meshwork.core.MeshIdentity;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.logging.Logger;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Authenticates the caller from its client certificate's SPIFFE URI SAN, checks the method against
 * the policy, and puts the identity into the call's {@link Context} ({@link CallerIdentity}).
 */
public final class AuthorizationInterceptor implements ServerInterceptor {

  private static final Logger LOG = Logger.getLogger(AuthorizationInterceptor.class.getName());

  private final AuthorizationPolicy policy;
  private final String trustDomain;

  /** Checks calls against {@code policy}; identities must belong to {@code trustDomain}. */
  public AuthorizationInterceptor(AuthorizationPolicy policy, String trustDomain) {
    this.policy = requireNonNull(policy, "policy");
    this.trustDomain = requireNonNull(trustDomain, "trustDomain");
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    String method = call.getMethodDescriptor().getFullMethodName();
    Optional<MeshIdentity> caller = peerIdentity(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
    if (caller.isEmpty()) {
      return deny(call, Status.UNAUTHENTICATED.withDescription(
          "no mesh identity: the client certificate has no spiffe://" + trustDomain + "/ URI SAN"));
    }
    MeshIdentity identity = caller.get();
    if (!identity.trustDomain().equals(trustDomain)) {
      return deny(call, Status.PERMISSION_DENIED.withDescription(
          "identity " + identity + " is not in trust domain " + trustDomain));
    }
    if (!policy.allows(method, identity)) {
      LOG.info(() -> "denied " + identity.kindAndName() + " calling " + method);
      return deny(call, Status.PERMISSION_DENIED.withDescription(
          identity.kindAndName() + " may not call " + method));
    }
    Context context = Context.current().withValue(CallerIdentity.KEY, identity);
    return Contexts.interceptCall(context, call, headers, next);
  }

  private static Optional<MeshIdentity> peerIdentity(SSLSession session) {
    if (session == null) {
      return Optional.empty();
    }
    try {
      Certificate[] chain = session.getPeerCertificates();
      if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
        return Optional.empty();
      }
      return MeshIdentities.fromCertificate(leaf);
    } catch (SSLPeerUnverifiedException e) {
      return Optional.empty();
    }
  }

  private static <ReqT> ServerCall.Listener<ReqT> deny(ServerCall<ReqT, ?> call, Status status) {
    call.close(status, new Metadata());
    return new ServerCall.Listener<>() {};
  }
}
