package dev.meshwork.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshwork.core.internal.EcKeys;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;

class MeshIdentitiesTest {

  @Test
  void fromCertificate_issuedCertificate_returnsIdentity() {
    MeshIdentity echo = new MeshIdentity("meshwork.local", "agent", "echo");
    DevCertificateAuthority ca = DevCertificateAuthority.create("meshwork.local");

    assertThat(MeshIdentities.fromCertificate(ca.issue(echo).cert())).contains(echo);
  }

  @Test
  void fromCertificate_noSans_returnsEmpty() {
    X509Certificate caCert = DevCertificateAuthority.create("meshwork.local").certificate();

    assertThat(MeshIdentities.fromCertificate(caCert)).isEmpty();
  }

  @Test
  void fromCertificate_onlyDnsAndHttpsSans_returnsEmpty() throws Exception {
    X509Certificate cert =
        selfSigned(
            new GeneralName(GeneralName.dNSName, "localhost"),
            new GeneralName(GeneralName.uniformResourceIdentifier, "https://example.org/agent/x"));

    assertThat(MeshIdentities.fromCertificate(cert)).isEmpty();
  }

  @Test
  void fromCertificate_firstSpiffeSan_wins() throws Exception {
    X509Certificate cert =
        selfSigned(
            new GeneralName(GeneralName.uniformResourceIdentifier, "https://example.org/x"),
            new GeneralName(
                GeneralName.uniformResourceIdentifier, "spiffe://meshwork.local/client/bob"),
            new GeneralName(
                GeneralName.uniformResourceIdentifier, "spiffe://meshwork.local/agent/echo"));

    assertThat(MeshIdentities.fromCertificate(cert))
        .contains(new MeshIdentity("meshwork.local", "client", "bob"));
  }

  @Test
  void fromCertificate_malformedSpiffeId_returnsEmpty() throws Exception {
    X509Certificate cert =
        selfSigned(
            new GeneralName(
                GeneralName.uniformResourceIdentifier, "spiffe://meshwork.local/wizard/merlin"));

    assertThat(MeshIdentities.fromCertificate(cert)).isEmpty();
  }

  private static X509Certificate selfSigned(GeneralName... sans) throws Exception {
    KeyPair keys = EcKeys.generate();
    X500Name name = new X500Name("CN=test");
    Instant now = Instant.now();
    JcaX509v3CertificateBuilder builder =
        new JcaX509v3CertificateBuilder(
            name,
            BigInteger.ONE,
            Date.from(now),
            Date.from(now.plus(Duration.ofDays(1))),
            name,
            keys.getPublic());
    builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans));
    return new JcaX509CertificateConverter()
        .getCertificate(
            builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
  }
}
