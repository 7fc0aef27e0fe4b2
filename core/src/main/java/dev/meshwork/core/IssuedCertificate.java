package dev.meshwork.core;

import static java.util.Objects.requireNonNull;

import dev.meshwork.core.internal.EcKeys;
import java.io.IOException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * A workload certificate with its private key, as issued by a {@link DevCertificateAuthority}.
 *
 * @param cert the workload (leaf) certificate
 * @param key the private key belonging to {@code cert}
 * @param chain the certificate chain to present, leaf first: {@code cert}, then the issuing CA
 */
public record IssuedCertificate(X509Certificate cert, PrivateKey key, List<X509Certificate> chain) {

  /** Checks that {@code chain} starts with {@code cert}. */
  public IssuedCertificate {
    requireNonNull(cert, "cert");
    requireNonNull(key, "key");
    chain = List.copyOf(requireNonNull(chain, "chain"));
    if (chain.isEmpty() || !chain.get(0).equals(cert)) {
      throw new IllegalArgumentException("chain: must start with the issued certificate");
    }
  }

  /**
   * Reads a certificate chain and its private key, as written by {@link CertDirectory#write}.
   *
   * @throws IOException when a file cannot be read or parsed, or the key does not belong to the
   *     chain's first certificate
   */
  public static IssuedCertificate read(Path certFile, Path keyFile) throws IOException {
    requireNonNull(certFile, "certFile");
    requireNonNull(keyFile, "keyFile");
    List<X509Certificate> chain = PemFiles.readCertificates(certFile);
    PrivateKey key = PemFiles.readPrivateKey(keyFile);
    if (!EcKeys.matches(key, chain.get(0).getPublicKey())) {
      throw new IOException(keyFile + ": not the private key of " + certFile);
    }
    return new IssuedCertificate(chain.get(0), key, chain);
  }
}
