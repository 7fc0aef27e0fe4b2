package dev.meshwork.core;

import static java.util.Objects.requireNonNull;

import dev.meshwork.core.internal.AtomicFiles;
import dev.meshwork.core.internal.Pem;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;

/**
 * Reads and writes certificates and private keys as PEM files.
 *
 * <p>Certificate chains are written as consecutive {@code CERTIFICATE} blocks, leaf first. Private
 * keys are written unencrypted in PKCS#8 form ({@code -----BEGIN PRIVATE KEY-----}), which
 * grpc-java, Netty, Go (grpcurl) and Python gRPC all read. Reading also accepts the SEC1 and PKCS#1
 * forms ({@code EC PRIVATE KEY}, {@code RSA PRIVATE KEY}) that openssl produces.
 *
 * <p>Writes are atomic (a temporary file in the same directory renamed over the target), so a
 * process that reloads certificates never sees half a file. Key files get POSIX permissions
 * {@code 0600}, certificate files {@code 0644}.
 */
public final class PemFiles {

  private static final Map<ASN1ObjectIdentifier, String> KEY_ALGORITHMS =
      Map.of(
          X9ObjectIdentifiers.id_ecPublicKey, "EC",
          PKCSObjectIdentifiers.rsaEncryption, "RSA",
          EdECObjectIdentifiers.id_Ed25519, "Ed25519");

  private PemFiles() {}

  /** Writes {@code chain} (leaf first) to {@code file} as {@code CERTIFICATE} blocks. */
  public static void writeCertificates(Path file, List<X509Certificate> chain) throws IOException {
    requireNonNull(file, "file");
    AtomicFiles.write(
        file,
        encodeCertificates(chain).getBytes(StandardCharsets.US_ASCII),
        AtomicFiles.WORLD_READABLE);
  }

  /** Writes {@code key} to {@code file} as unencrypted PKCS#8 PEM, readable by its owner only. */
  public static void writePrivateKey(Path file, PrivateKey key) throws IOException {
    requireNonNull(file, "file");
    AtomicFiles.write(
        file, encodePrivateKey(key).getBytes(StandardCharsets.US_ASCII), AtomicFiles.OWNER_ONLY);
  }

  /** {@code chain} as consecutive PEM {@code CERTIFICATE} blocks. */
  public static String encodeCertificates(List<X509Certificate> chain) {
    requireNonNull(chain, "chain");
    if (chain.isEmpty()) {
      throw new IllegalArgumentException("chain: empty (expected: at least one certificate)");
    }
    StringBuilder pem = new StringBuilder();
    for (X509Certificate certificate : chain) {
      try {
        pem.append(Pem.encode("CERTIFICATE", certificate.getEncoded()));
      } catch (CertificateEncodingException e) {
        throw new IllegalArgumentException("cannot encode certificate", e);
      }
    }
    return pem.toString();
  }

  /** {@code key} as a PKCS#8 {@code PRIVATE KEY} PEM block. */
  public static String encodePrivateKey(PrivateKey key) {
    requireNonNull(key, "key");
    if (!"PKCS#8".equals(key.getFormat()) || key.getEncoded() == null) {
      throw new IllegalArgumentException(
          "key: format " + key.getFormat() + " (expected: an exportable PKCS#8 key)");
    }
    return Pem.encode("PRIVATE KEY", key.getEncoded());
  }

  /**
   * The certificates in {@code file}, in file order.
   *
   * @throws IOException when the file cannot be read or holds no certificate
   */
  public static List<X509Certificate> readCertificates(Path file) throws IOException {
    requireNonNull(file, "file");
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII)) {
      return parseCertificates(reader, file.toString());
    }
  }

  /** The first certificate in {@code file}: the leaf of a chain. */
  public static X509Certificate readCertificate(Path file) throws IOException {
    return readCertificates(file).get(0);
  }

  /** The certificates in PEM {@code text}. */
  public static List<X509Certificate> parseCertificates(String text) throws IOException {
    requireNonNull(text, "text");
    return parseCertificates(new StringReader(text), "PEM text");
  }

  /**
   * The private key in {@code file} (PKCS#8, SEC1 or PKCS#1, unencrypted).
   *
   * @throws IOException when the file cannot be read or holds no usable key
   */
  public static PrivateKey readPrivateKey(Path file) throws IOException {
    requireNonNull(file, "file");
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII)) {
      return parsePrivateKey(reader, file.toString());
    }
  }

  /** The private key in PEM {@code text}. */
  public static PrivateKey parsePrivateKey(String text) throws IOException {
    requireNonNull(text, "text");
    return parsePrivateKey(new StringReader(text), "PEM text");
  }

  private static List<X509Certificate> parseCertificates(Reader reader, String source)
      throws IOException {
    JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
    List<X509Certificate> certificates = new ArrayList<>();
    try (PEMParser parser = new PEMParser(reader)) {
      for (Object block = parser.readObject(); block != null; block = parser.readObject()) {
        if (block instanceof X509CertificateHolder holder) {
          certificates.add(converter.getCertificate(holder));
        }
      }
    } catch (CertificateException | RuntimeException e) {
      throw new IOException(
          source + ": not a valid PEM certificate file (" + e.getMessage() + ")", e);
    }
    if (certificates.isEmpty()) {
      throw new IOException(source + ": no CERTIFICATE block");
    }
    return List.copyOf(certificates);
  }

  private static PrivateKey parsePrivateKey(Reader reader, String source) throws IOException {
    try (PEMParser parser = new PEMParser(reader)) {
      for (Object block = parser.readObject(); block != null; block = parser.readObject()) {
        if (block instanceof PrivateKeyInfo info) {
          return toPrivateKey(info, source);
        }
        if (block instanceof PEMKeyPair pair) {
          return toPrivateKey(pair.getPrivateKeyInfo(), source);
        }
      }
    } catch (RuntimeException e) {
      throw new IOException(source + ": not a valid PEM key file (" + e.getMessage() + ")", e);
    }
    throw new IOException(source + ": no unencrypted PRIVATE KEY block");
  }

  private static PrivateKey toPrivateKey(PrivateKeyInfo info, String source) throws IOException {
    ASN1ObjectIdentifier oid = info.getPrivateKeyAlgorithm().getAlgorithm();
    String algorithm = KEY_ALGORITHMS.get(oid);
    if (algorithm == null) {
      throw new IOException(source + ": unsupported key algorithm " + oid.getId());
    }
    try {
      return KeyFactory.getInstance(algorithm)
          .generatePrivate(new PKCS8EncodedKeySpec(info.getEncoded()));
    } catch (GeneralSecurityException e) {
      throw new IOException(source + ": invalid " + algorithm + " private key", e);
    }
  }
}
