package dev.meshwork.core;

import static java.util.Objects.requireNonNull;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Reads {@link MeshIdentity mesh identities} out of X.509 certificates. */
public final class MeshIdentities {

  /** The {@code GeneralName} tag of a URI in {@link X509Certificate#getSubjectAlternativeNames}. */
  private static final int URI_SAN = 6;

  private MeshIdentities() {}

  /**
   * The identity named by the first {@code spiffe://} URI SAN of {@code certificate}.
   *
   * @return empty when the certificate has no such SAN, or when that SAN is not a valid mesh
   *     identity ({@code spiffe://<trust-domain>/<kind>/<name>} with a known kind)
   */
  public static Optional<MeshIdentity> fromCertificate(X509Certificate certificate) {
    requireNonNull(certificate, "certificate");
    Collection<List<?>> names;
    try {
      names = certificate.getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      return Optional.empty();
    }
    if (names == null) {
      return Optional.empty();
    }
    for (List<?> name : names) {
      if (name.size() >= 2
          && name.get(0) instanceof Integer tag
          && tag == URI_SAN
          && name.get(1) instanceof String uri
          && uri.toLowerCase(Locale.ROOT).startsWith("spiffe://")) {
        return parse(uri);
      }
    }
    return Optional.empty();
  }

  private static Optional<MeshIdentity> parse(String spiffeId) {
    try {
      return Optional.of(MeshIdentity.fromSpiffeId(spiffeId));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
