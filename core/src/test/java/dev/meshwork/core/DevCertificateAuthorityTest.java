package dev.meshwork.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SignatureException;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DevCertificateAuthorityTest {

  private static final MeshIdentity ECHO = new MeshIdentity("meshwork.local", "agent", "echo");

  private final DevCertificateAuthority ca = DevCertificateAuthority.create("meshwork.local");

  @TempDir Path tmp;

  @Test
  void create_newCa_isSelfSignedTenYearCaWithTrustDomainInName() throws Exception {
    X509Certificate cert = ca.certificate();

    cert.verify(cert.getPublicKey());
    assertThat(cert.getSubjectX500Principal().getName())
        .isEqualTo("CN=Meshwork dev CA meshwork.local");
    assertThat(cert.getIssuerX500Principal()).isEqualTo(cert.getSubjectX500Principal());
    assertThat(cert.getBasicConstraints()).isGreaterThanOrEqualTo(0);
    assertThat(cert.getKeyUsage()[5]).as("keyCertSign").isTrue();
    assertThat(cert.getPublicKey().getAlgorithm()).isEqualTo("EC");
    assertThat(Duration.between(Instant.now(), cert.getNotAfter().toInstant()))
        .isGreaterThan(Duration.ofDays(3649));
    assertThat(ca.trustDomain()).isEqualTo("meshwork.local");
  }

  @Test
  void create_badTrustDomain_throws() {
    assertThatThrownBy(() -> DevCertificateAuthority.create("Not A Domain"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("trust domain");
  }

  @Test
  void issue_identity_chainsToCa() throws Exception {
    IssuedCertificate issued = ca.issue(ECHO);

    issued.cert().verify(ca.certificate().getPublicKey());
    assertThat(issued.chain()).containsExactly(issued.cert(), ca.certificate());
    assertThat(ca.signed(issued.cert())).isTrue();
    validate(issued.chain().subList(0, 1), ca.certificate());
  }

  @Test
  void issue_identity_carriesSpiffeAndLocalSans() throws Exception {
    X509Certificate cert = ca.issue(ECHO).cert();

    assertThat(sans(cert))
        .containsExactlyInAnyOrder(
            List.of(6, "spiffe://meshwork.local/agent/echo"),
            List.of(2, "localhost"),
            List.of(7, "127.0.0.1"),
            List.of(7, "0:0:0:0:0:0:0:1"));
    assertThat(MeshIdentities.fromCertificate(cert)).contains(ECHO);
  }

  @Test
  void issue_identity_hasWorkloadProfile() throws Exception {
    X509Certificate cert = ca.issue(ECHO).cert();

    assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=agent/echo");
    assertThat(cert.getBasicConstraints()).isEqualTo(-1);
    assertThat(cert.getKeyUsage()[0]).as("digitalSignature").isTrue();
    assertThat(cert.getKeyUsage()[5]).as("keyCertSign").isFalse();
    assertThat(cert.getExtendedKeyUsage())
        .containsExactlyInAnyOrder("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
    assertThat(cert.getPublicKey().getAlgorithm()).isEqualTo("EC");
    BigInteger serial = cert.getSerialNumber();
    assertThat(serial.signum()).isPositive();
    assertThat(serial.bitLength()).isLessThanOrEqualTo(127);
  }

  @Test
  void issue_defaultValidity_isOneYear() {
    X509Certificate cert = ca.issue(ECHO).cert();

    Duration validity =
        Duration.between(Instant.now(), cert.getNotAfter().toInstant());
    assertThat(validity).isBetween(Duration.ofDays(364), Duration.ofDays(365));
    assertThat(cert.getNotBefore().toInstant()).isBefore(Instant.now());
  }

  @Test
  void issue_twice_givesDistinctSerialsAndKeys() {
    IssuedCertificate first = ca.issue(ECHO);
    IssuedCertificate second = ca.issue(ECHO);

    assertThat(first.cert().getSerialNumber()).isNotEqualTo(second.cert().getSerialNumber());
    assertThat(first.cert().getPublicKey()).isNotEqualTo(second.cert().getPublicKey());
  }

  @Test
  void issue_otherTrustDomain_throws() {
    MeshIdentity foreign = new MeshIdentity("example.org", "agent", "echo");

    assertThatThrownBy(() -> ca.issue(foreign))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("trust domain 'meshwork.local'");
  }

  @Test
  void issue_explicitWindowInPast_givesExpiredCertificate() {
    Instant notAfter = Instant.now().minus(Duration.ofDays(1));
    X509Certificate cert =
        ca.issue(ECHO, notAfter.minus(Duration.ofDays(2)), notAfter).cert();

    assertThat(cert.getNotAfter().toInstant()).isBefore(Instant.now());
  }

  @Test
  void issue_validityBeyondCa_isCappedAtCaExpiry() {
    DevCertificateAuthority shortCa =
        DevCertificateAuthority.create("meshwork.local", Duration.ofDays(10));

    X509Certificate cert = shortCa.issue(ECHO, Duration.ofDays(365)).cert();

    assertThat(cert.getNotAfter()).isEqualTo(shortCa.certificate().getNotAfter());
  }

  @Test
  void verify_certFromUnrelatedCa_fails() {
    DevCertificateAuthority other = DevCertificateAuthority.create("meshwork.local");
    X509Certificate foreign = other.issue(ECHO).cert();

    assertThat(ca.signed(foreign)).isFalse();
    assertThatThrownBy(() -> foreign.verify(ca.certificate().getPublicKey()))
        .isInstanceOf(SignatureException.class);
    assertThatThrownBy(() -> validate(List.of(foreign), ca.certificate()))
        .isInstanceOf(CertPathValidatorException.class);
  }

  @Test
  void load_writtenCa_roundTrips() throws Exception {
    CertDirectory dir = new CertDirectory(tmp);
    ca.writeTo(dir);

    DevCertificateAuthority loaded = DevCertificateAuthority.load(dir);

    assertThat(loaded.certificate()).isEqualTo(ca.certificate());
    assertThat(loaded.trustDomain()).isEqualTo("meshwork.local");
    assertThat(ca.signed(loaded.issue(ECHO).cert())).isTrue();
  }

  @Test
  void load_keyOfAnotherCa_throws() throws Exception {
    CertDirectory dir = new CertDirectory(tmp);
    ca.writeTo(dir);
    PemFiles.writePrivateKey(
        dir.caKey(), DevCertificateAuthority.create("meshwork.local").privateKey());

    assertThatThrownBy(() -> DevCertificateAuthority.load(dir))
        .hasMessageContaining("not the private key of");
  }

  @Test
  void load_workloadCertificateAsCa_throws() throws Exception {
    CertDirectory dir = new CertDirectory(tmp);
    IssuedCertificate issued = ca.issue(ECHO);
    PemFiles.writeCertificates(dir.caCert(), List.of(issued.cert()));
    PemFiles.writePrivateKey(dir.caKey(), issued.key());

    assertThatThrownBy(() -> DevCertificateAuthority.load(dir))
        .hasMessageContaining("not a CA certificate");
  }

  @Test
  void load_missingFiles_throwsNoSuchFile() {
    CertDirectory dir = new CertDirectory(tmp.resolve("nothing"));

    assertThatThrownBy(() -> DevCertificateAuthority.load(dir))
        .isInstanceOf(NoSuchFileException.class);
    assertThat(Files.exists(dir.root())).isFalse();
  }

  private static Collection<List<?>> sans(X509Certificate cert) throws Exception {
    return cert.getSubjectAlternativeNames();
  }

  private static void validate(List<X509Certificate> path, X509Certificate anchor)
      throws GeneralSecurityException {
    CertPath certPath = CertificateFactory.getInstance("X.509").generateCertPath(path);
    PKIXParameters parameters = new PKIXParameters(Set.of(new TrustAnchor(anchor, null)));
    parameters.setRevocationEnabled(false);
    CertPathValidator.getInstance("PKIX").validate(certPath, parameters);
  }
}
