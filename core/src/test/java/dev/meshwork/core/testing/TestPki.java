package dev.meshwork.core.testing;

import static java.util.Objects.requireNonNull;

import dev.meshwork.core.CertDirectory;
import dev.meshwork.core.DevCertificateAuthority;
import dev.meshwork.core.IssuedCertificate;
import dev.meshwork.core.MeshIdentity;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A throw-away PKI for tests: a fresh dev CA written into a directory (usually a JUnit
 * {@code @TempDir}), plus certificates for the identities a test needs, laid out as a
 * {@link CertDirectory}.
 *
 * <pre>{@code
 * @TempDir Path tmp;
 *
 * TestPki pki = TestPki.create(tmp.resolve("pki"), "registry/registry", "agent/echo");
 * CertDirectory certs = pki.dir();   // e.g. pki.certFile("agent/echo"), pki.caCert()
 * // Same SPIFFE ids, signed by another CA: peers trusting pki must reject these.
 * TestPki rogue = pki.unrelated(tmp.resolve("rogue"), "agent/echo");
 * }</pre>
 *
 * <p>Identities are given as {@code <kind>/<name>} in the PKI's trust domain ({@link
 * MeshIdentity#DEFAULT_TRUST_DOMAIN} unless told otherwise). Methods throw unchecked exceptions so
 * they can be called from field initializers and lambdas.
 */
public final class TestPki {

  private final CertDirectory dir;
  private final DevCertificateAuthority ca;

  private TestPki(CertDirectory dir, DevCertificateAuthority ca) {
    this.dir = dir;
    this.ca = ca;
  }

  /** A new CA in the default trust domain, written to {@code root}, with the given identities. */
  public static TestPki create(Path root, String... kindAndNames) {
    return create(root, MeshIdentity.DEFAULT_TRUST_DOMAIN, List.of(kindAndNames));
  }

  /** A new CA in {@code trustDomain}, written to {@code root}, with the given identities. */
  public static TestPki create(Path root, String trustDomain, List<String> kindAndNames) {
    requireNonNull(root, "root");
    requireNonNull(kindAndNames, "kindAndNames");
    TestPki pki = new TestPki(new CertDirectory(root), DevCertificateAuthority.create(trustDomain));
    try {
      pki.ca.writeTo(pki.dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    kindAndNames.forEach(pki::issue);
    return pki;
  }

  /**
   * A second PKI with its own, unrelated CA in the same trust domain, written to {@code otherRoot}:
   * its certificates carry the same SPIFFE ids but must be rejected by peers trusting this one.
   */
  public TestPki unrelated(Path otherRoot, String... kindAndNames) {
    return create(otherRoot, ca.trustDomain(), List.of(kindAndNames));
  }

  /** The directory, as every mesh process would look at it. */
  public CertDirectory dir() {
    return dir;
  }

  /** The CA, for issuing certificates with unusual validity. */
  public DevCertificateAuthority ca() {
    return ca;
  }

  /** The trust domain of this PKI. */
  public String trustDomain() {
    return ca.trustDomain();
  }

  /** {@code <kind>/<name>} as an identity in this PKI's trust domain. */
  public MeshIdentity identity(String kindAndName) {
    return MeshIdentity.parseKindName(ca.trustDomain(), kindAndName);
  }

  /** Issues (or re-issues, replacing the files) a one-year certificate for {@code kindAndName}. */
  public IssuedCertificate issue(String kindAndName) {
    return issue(kindAndName, DevCertificateAuthority.DEFAULT_VALIDITY);
  }

  /** Issues a certificate valid for {@code validity} from now and writes its files. */
  public IssuedCertificate issue(String kindAndName, Duration validity) {
    MeshIdentity identity = identity(kindAndName);
    return write(identity, ca.issue(identity, validity));
  }

  /** Issues a certificate with an explicit window (e.g. already expired) and writes its files. */
  public IssuedCertificate issue(String kindAndName, Instant notBefore, Instant notAfter) {
    MeshIdentity identity = identity(kindAndName);
    return write(identity, ca.issue(identity, notBefore, notAfter));
  }

  /** {@code D/ca.crt}. */
  public Path caCert() {
    return dir.caCert();
  }

  /** {@code D/<kind>/<name>.crt}. */
  public Path certFile(String kindAndName) {
    return dir.certFile(identity(kindAndName));
  }

  /** {@code D/<kind>/<name>.key}. */
  public Path keyFile(String kindAndName) {
    return dir.keyFile(identity(kindAndName));
  }

  private IssuedCertificate write(MeshIdentity identity, IssuedCertificate issued) {
    try {
      dir.write(identity, issued);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return issued;
  }
}
