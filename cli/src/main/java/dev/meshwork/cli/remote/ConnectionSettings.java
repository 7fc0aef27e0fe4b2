package dev.meshwork.cli.remote;

import static java.util.Objects.requireNonNull;

import dev.meshwork.core.CertDirectory;
import dev.meshwork.core.MeshIdentity;
import java.time.Duration;

/**
 * Where the mesh's servers are and how meshctl talks to them.
 *
 * @param registry address of the registry, {@code host:port}
 * @param orchestrator address of the orchestrator, {@code host:port}
 * @param certDir where the CA and this client's certificate are
 * @param identity the identity meshctl presents, {@code client/<user>} by default
 * @param insecure plaintext dev mode (no TLS, no identity)
 * @param timeout deadline of each unary call
 */
public record ConnectionSettings(
    String registry,
    String orchestrator,
    CertDirectory certDir,
    MeshIdentity identity,
    boolean insecure,
    Duration timeout) {

  /** Validates the parts. */
  public ConnectionSettings {
    requireNonNull(registry, "registry");
    requireNonNull(orchestrator, "orchestrator");
    requireNonNull(certDir, "certDir");
    requireNonNull(identity, "identity");
    requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout: " + timeout + " (expected: > 0)");
    }
  }

  /** The address of {@code server}. */
  public String address(Server server) {
    return switch (requireNonNull(server, "server")) {
      case REGISTRY -> registry;
      case ORCHESTRATOR -> orchestrator;
    };
  }
}
