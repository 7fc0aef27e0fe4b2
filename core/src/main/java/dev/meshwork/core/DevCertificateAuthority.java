package dev.meshwork.core;

import static java.util.Objects.requireNonNull;

import dev.meshwork.core.internal.CertificateBuilders;
import dev.meshwork.core.internal.EcKeys;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;

/**
 * A development certificate authority for one trust domain: a self-signed EC P-256 CA
 * ({@code CN=Meshwork dev CA <trust-domain>}, valid 10 years) that issues the workload
 * certificates of {@link MeshIdentity mesh identities}.
 *
 * <p>Each issued certificate has subject {@code CN=<kind>/<name>}, the SPIFFE id as URI SAN, the
 * SANs {@code localhost}, {@code 127.0.0.1} and {@code ::1} (so local servers can be dialled by
 * address), extended key usage serverAuth and clientAuth, key usage digitalSignature, a fresh EC
 * P-256 key and a random positive 127-bit serial number.
 *
 * <p>This is for development and tests: the CA key sits unencrypted on disk. Files are laid out as
 * described in {@link CertDirectory}.
 */
public final class DevCertificateAuthority {

  /** How long a new CA is valid. */
  public static final Duration CA_VALIDITY = Duration.ofDays(3650);

  /** How long an issued certificate is valid unless told otherwise. */
  public static final Duration DEFAULT_VALIDITY = Duration.ofDays(365);

  /** The common name prefix of a dev CA; the trust domain follows it. */
  static final String CA_NAME_PREFIX = "Meshwork dev CA ";

  /** notBefore is set this far in the past to tolerate clock skew between processes. */
  private static final Duration BACKDATE = Duration.ofMinutes(5);

  private final String trustDomain;
  private final X509Certificate certificate;
  private final PrivateKey privateKey;

  private DevCertificateAuthority(
      String trustDomain, X509Certificate certificate, PrivateKey privateKey) {
    this.trustDomain = trustDomain;
    this.certificate = certificate;
    this.privateKey = privateKey;
  }

  /** A new CA for {@code trustDomain}, valid for {@link #CA_VALIDITY}. */
  public static DevCertificateAuthority create(String trustDomain) {
    return create(trustDomain, CA_VALIDITY);
  }

  /** A new CA for {@code trustDomain}, valid for {@code validity} from now. */
  public static DevCertificateAuthority create(String trustDomain, Duration validity) {
    requireNonNull(trustDomain, "trustDomain");
    requirePositive(validity);
    checkTrustDomain(trustDomain);
    KeyPair keys = EcKeys.generate();
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    X509Certificate certificate =
        CertificateBuilders.selfSignedCa(
            keys, CA_NAME_PREFIX + trustDomain, now.minus(BACKDATE), now.plus(validity));
    return new DevCertificateAuthority(trustDomain, certificate, keys.getPrivate());
  }

  /** Loads the CA from {@link CertDirectory#caCert()} and {@link CertDirectory#caKey()}. */
  public static DevCertificateAuthority load(CertDirectory directory) throws IOException {
    requireNonNull(directory, "directory");
    return load(directory.caCert(), directory.caKey());
  }

  /**
   * Loads a CA written by {@link #writeTo}.
   *
   * @throws IOException when a file cannot be read, is not PEM, the key does not belong to the
   *     certificate, or the certificate is not a Meshwork dev CA
   */
  public static DevCertificateAuthority load(Path caCert, Path caKey) throws IOException {
    requireNonNull(caCert, "caCert");
    requireNonNull(caKey, "caKey");
    X509Certificate certificate = PemFiles.readCertificate(caCert);
    PrivateKey privateKey = PemFiles.readPrivateKey(caKey);
    if (!EcKeys.matches(privateKey, certificate.getPublicKey())) {
      throw new IOException(caKey + ": not the private key of " + caCert);
    }
    if (certificate.getBasicConstraints() < 0) {
      throw new IOException(caCert + ": not a CA certificate");
    }
    String trustDomain =
        trustDomainOf(certificate)
            .orElseThrow(
                () ->
                    new IOException(
                        caCert + ": not a Meshwork dev CA (expected subject CN="
                            + CA_NAME_PREFIX + "<trust-domain>)"));
    return new DevCertificateAuthority(trustDomain, certificate, privateKey);
  }

  /** Writes {@code ca.crt} and {@code ca.key} (mode 0600) into {@code directory}. */
  public void writeTo(CertDirectory directory) throws IOException {
    requireNonNull(directory, "directory");
    PemFiles.writePrivateKey(directory.caKey(), privateKey);
    PemFiles.writeCertificates(directory.caCert(), List.of(certificate));
  }

  /** The trust domain this CA issues identities in. */
  public String trustDomain() {
    return trustDomain;
  }

  /** The self-signed CA certificate: the trust anchor. */
  public X509Certificate certificate() {
    return certificate;
  }

  /** The CA's private key. */
  public PrivateKey privateKey() {
    return privateKey;
  }

  /** Issues a certificate for {@code identity}, valid for {@link #DEFAULT_VALIDITY}. */
  public IssuedCertificate issue(MeshIdentity identity) {
    return issue(identity, DEFAULT_VALIDITY);
  }

  /**
   * Issues a certificate for {@code identity}, valid from now for {@code validity} (but not past
   * the CA's own expiry).
   */
  public IssuedCertificate issue(MeshIdentity identity, Duration validity) {
    requirePositive(validity);
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    return issue(identity, now.minus(BACKDATE), now.plus(validity));
  }

  /**
   * Issues a certificate for {@code identity} with an explicit validity window, for example an
   * already expired one in tests. {@code notAfter} is capped at the CA's own expiry.
   *
   * @throws IllegalArgumentException when the identity is of another trust domain, or the window
   *     is empty
   */
  public IssuedCertificate issue(MeshIdentity identity, Instant notBefore, Instant notAfter) {
    requireNonNull(identity, "identity");
    requireNonNull(notBefore, "notBefore");
    requireNonNull(notAfter, "notAfter");
    if (!identity.trustDomain().equals(trustDomain)) {
      throw new IllegalArgumentException(
          "identity " + identity + ": not in this CA's trust domain '" + trustDomain + "'");
    }
    Instant caNotAfter = certificate.getNotAfter().toInstant();
    Instant end = notAfter.isAfter(caNotAfter) ? caNotAfter : notAfter;
    if (!end.isAfter(notBefore)) {
      throw new IllegalArgumentException(
          "validity: notAfter " + end + " is not after notBefore " + notBefore);
    }
    KeyPair keys = EcKeys.generate();
    X509Certificate leaf =
        CertificateBuilders.workload(
            certificate, privateKey, identity, keys.getPublic(), notBefore, end);
    return new IssuedCertificate(leaf, keys.getPrivate(), List.of(leaf, certificate));
  }

  /** Whether {@code candidate} carries this CA's signature (it says nothing about expiry). */
  public boolean signed(X509Certificate candidate) {
    requireNonNull(candidate, "candidate");
    if (!candidate.getIssuerX500Principal().equals(certificate.getSubjectX500Principal())) {
      return false;
    }
    try {
      candidate.verify(certificate.getPublicKey());
      return true;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static Optional<String> trustDomainOf(X509Certificate certificate) {
    X500Name subject = X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded());
    RDN[] commonNames = subject.getRDNs(BCStyle.CN);
    if (commonNames.length != 1 || commonNames[0].getFirst() == null) {
      return Optional.empty();
    }
    String commonName = IETFUtils.valueToString(commonNames[0].getFirst().getValue());
    if (!commonName.startsWith(CA_NAME_PREFIX)) {
      return Optional.empty();
    }
    String trustDomain = commonName.substring(CA_NAME_PREFIX.length());
    try {
      return Optional.of(checkTrustDomain(trustDomain));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** Validates a trust domain with the rules {@link MeshIdentity} applies. */
  private static String checkTrustDomain(String trustDomain) {
    return new MeshIdentity(trustDomain, "registry", "registry").trustDomain();
  }

  private static void requirePositive(Duration validity) {
    requireNonNull(validity, "validity");
    if (validity.isNegative() || validity.isZero()) {
      throw new IllegalArgumentException("validity: " + validity + " (expected: positive)");
    }
  }

  @Override
  public String toString() {
    return "DevCertificateAuthority[" + trustDomain + ", serial "
        + certificate.getSerialNumber().toString(16) + "]";
  }
}
