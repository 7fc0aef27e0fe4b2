package dev.meshwork.cli.certs;

import dev.meshwork.core.CertDirectory;
import dev.meshwork.core.DevCertificateAuthority;
import dev.meshwork.core.MeshIdentities;
import dev.meshwork.core.MeshIdentity;
import java.io.IOException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** Decides whether an identity's existing files are still good enough to keep. */
final class IdentityCheck {

  /** Certificates closer to expiry than this are renewed by {@code certs init}. */
  static final Duration RENEW_BEFORE = Duration.ofDays(7);

  private IdentityCheck() {}

  /**
   * Why the files of {@code identity} in {@code dir} must be (re-)issued; empty when they are
   * present and readable, the key belongs to the certificate, the certificate is signed by {@code
   * ca}, names {@code identity} and is not within {@link #RENEW_BEFORE} of expiry.
   */
  static Optional<String> problem(
      DevCertificateAuthority ca, CertDirectory dir, MeshIdentity identity, Instant now) {
    if (!dir.has(identity)) {
      return Optional.of("missing");
    }
    X509Certificate cert;
    try {
      cert = dir.read(identity).cert();
    } catch (IOException e) {
      return Optional.of(e.getMessage());
    }
    if (!ca.signed(cert)) {
      return Optional.of("signed by another CA");
    }
    if (!MeshIdentities.fromCertificate(cert).equals(Optional.of(identity))) {
      return Optional.of("not a certificate of " + identity);
    }
    if (cert.getNotAfter().toInstant().isBefore(now.plus(RENEW_BEFORE))) {
      return Optional.of("expires " + cert.getNotAfter().toInstant());
    }
    return Optional.empty();
  }
}
