package dev.meshwork.core.internal;

import static java.util.Objects.requireNonNull;

import dev.meshwork.core.MeshIdentity;
import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Builds the two kinds of certificate the dev PKI needs with BouncyCastle: a self-signed CA and a
 * workload certificate carrying a SPIFFE id. Uses the JDK's providers; registers none.
 */
public final class CertificateBuilders {

  private static final SecureRandom RANDOM = new SecureRandom();

  private CertificateBuilders() {}

  /** A random positive serial number of at most 127 bits (16 DER octets, below RFC 5280's 20). */
  public static BigInteger randomSerial() {
    BigInteger serial;
    do {
      serial = new BigInteger(127, RANDOM);
    } while (serial.signum() == 0);
    return serial;
  }

  /** A self-signed CA certificate: basicConstraints CA (path length 0), keyCertSign, cRLSign. */
  public static X509Certificate selfSignedCa(
      KeyPair keys, String commonName, Instant notBefore, Instant notAfter) {
    requireNonNull(keys, "keys");
    X500Name subject = commonNameOnly(commonName);
    try {
      JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
                  subject,
                  randomSerial(),
                  Date.from(notBefore),
                  Date.from(notAfter),
                  subject,
                  keys.getPublic())
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
              .addExtension(
                  Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
              .addExtension(
                  Extension.subjectKeyIdentifier,
                  false,
                  extensions.createSubjectKeyIdentifier(keys.getPublic()));
      return sign(builder, keys.getPrivate());
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot build the CA certificate", e);
    }
  }

  /**
   * A workload certificate for {@code identity}, signed by the CA: subject {@code
   * CN=<kind>/<name>}, SANs {@code <spiffe id>}, {@code localhost}, {@code 127.0.0.1} and {@code
   * ::1}, key usage digitalSignature, extended key usage serverAuth and clientAuth.
   */
  public static X509Certificate workload(
      X509Certificate caCertificate,
      PrivateKey caKey,
      MeshIdentity identity,
      PublicKey subjectKey,
      Instant notBefore,
      Instant notAfter) {
    requireNonNull(caCertificate, "caCertificate");
    requireNonNull(caKey, "caKey");
    requireNonNull(identity, "identity");
    requireNonNull(subjectKey, "subjectKey");
    GeneralNames subjectAltNames =
        new GeneralNames(
            new GeneralName[] {
              new GeneralName(GeneralName.uniformResourceIdentifier, identity.spiffeId()),
              new GeneralName(GeneralName.dNSName, "localhost"),
              new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
              new GeneralName(GeneralName.iPAddress, "::1"),
            });
    try {
      JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
                  caCertificate,
                  randomSerial(),
                  Date.from(notBefore),
                  Date.from(notAfter),
                  commonNameOnly(identity.kindAndName()),
                  subjectKey)
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
              .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
              .addExtension(
                  Extension.extendedKeyUsage,
                  false,
                  new ExtendedKeyUsage(
                      new KeyPurposeId[] {
                        KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth
                      }))
              .addExtension(Extension.subjectAlternativeName, false, subjectAltNames)
              .addExtension(
                  Extension.subjectKeyIdentifier,
                  false,
                  extensions.createSubjectKeyIdentifier(subjectKey))
              .addExtension(
                  Extension.authorityKeyIdentifier,
                  false,
                  extensions.createAuthorityKeyIdentifier(caCertificate.getPublicKey()));
      return sign(builder, caKey);
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot build the certificate of " + identity, e);
    }
  }

  private static X500Name commonNameOnly(String commonName) {
    requireNonNull(commonName, "commonName");
    return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName).build();
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signingKey)
      throws GeneralSecurityException {
    try {
      ContentSigner signer =
          new JcaContentSignerBuilder(EcKeys.SIGNATURE_ALGORITHM).build(signingKey);
      return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException("cannot create the certificate signer", e);
    }
  }
}
