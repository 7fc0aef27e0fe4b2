package dev.meshwork.core;

import io.grpc.Context;
import java.util.Optional;

/**
 * The authenticated identity of the peer of the current gRPC call, taken from its client
 * certificate's SPIFFE URI SAN by the server's authorization interceptor.
 */
public final class CallerIdentity {

  /** The context key the server's interceptor sets. */
  public static final Context.Key<MeshIdentity> KEY = Context.key("meshwork-caller-identity");

  private CallerIdentity() {}

  /** The caller of the current call; empty outside a call or on an insecure (dev) server. */
  public static Optional<MeshIdentity> current() {
    return Optional.ofNullable(KEY.get());
  }
}
