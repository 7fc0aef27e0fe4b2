package dev.meshwork.core.internal;

import static java.util.Objects.requireNonNull;

import dev.meshwork.core.PemFiles;
import io.grpc.util.AdvancedTlsX509KeyManager;
import io.grpc.util.AdvancedTlsX509TrustManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.logging.Logger;

/**
 * Re-reads a certificate, key and trust bundle when their files change, and hands them to the
 * AdvancedTls managers.
 *
 * <p>grpc-java's own file watching ({@code updateIdentityCredentials(File, File, period, ...)})
 * refuses periods under one minute; a rotation should take effect within seconds, so this class
 * polls the modification times itself. A half-rotated pair (new certificate, old key) is detected by
 * a signature check and skipped until both files are in place.
 */
public final class TlsFileReloader implements Runnable {

  private static final Logger LOG = Logger.getLogger(TlsFileReloader.class.getName());

  private final Path cert;
  private final Path key;
  private final Path ca;
  private final AdvancedTlsX509KeyManager keyManager;
  private final AdvancedTlsX509TrustManager trustManager;
  private long identityStamp = Long.MIN_VALUE;
  private long trustStamp = Long.MIN_VALUE;

  /** Watches {@code cert}+{@code key} for {@code keyManager} and {@code ca} for {@code trustManager}. */
  public TlsFileReloader(
      Path cert,
      Path key,
      Path ca,
      AdvancedTlsX509KeyManager keyManager,
      AdvancedTlsX509TrustManager trustManager) {
    this.cert = requireNonNull(cert, "cert");
    this.key = requireNonNull(key, "key");
    this.ca = requireNonNull(ca, "ca");
    this.keyManager = requireNonNull(keyManager, "keyManager");
    this.trustManager = requireNonNull(trustManager, "trustManager");
  }

  /**
   * Loads the files now.
   *
   * @throws IOException or GeneralSecurityException when they cannot be used
   */
  public void loadInitial() throws IOException, GeneralSecurityException {
    long identity = stamp(cert, key);
    long trust = stamp(ca);
    loadIdentity();
    loadTrust();
    identityStamp = identity;
    trustStamp = trust;
  }

  /** One poll: reloads whatever changed; failures keep the previous material. */
  @Override
  public void run() {
    try {
      long identity = stamp(cert, key);
      if (identity != identityStamp) {
        loadIdentity();
        identityStamp = identity;
        LOG.info(() -> "reloaded certificate " + cert);
      }
      long trust = stamp(ca);
      if (trust != trustStamp) {
        loadTrust();
        trustStamp = trust;
        LOG.info(() -> "reloaded trust bundle " + ca);
      }
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      // Typically a rotation in progress; the next poll retries.
      LOG.warning("keeping previous TLS material: " + e.getMessage());
    }
  }

  private void loadIdentity() throws IOException, GeneralSecurityException {
    List<X509Certificate> chain = PemFiles.readCertificates(cert);
    PrivateKey privateKey = PemFiles.readPrivateKey(key);
    if (chain.isEmpty()) {
      throw new GeneralSecurityException(cert + " holds no certificate");
    }
    requireMatchingPair(chain.get(0), privateKey);
    keyManager.updateIdentityCredentials(chain.toArray(new X509Certificate[0]), privateKey);
  }

  private void loadTrust() throws IOException, GeneralSecurityException {
    List<X509Certificate> roots = PemFiles.readCertificates(ca);
    if (roots.isEmpty()) {
      throw new GeneralSecurityException(ca + " holds no certificate");
    }
    trustManager.updateTrustCredentials(roots.toArray(new X509Certificate[0]));
  }

  private static void requireMatchingPair(X509Certificate leaf, PrivateKey privateKey)
      throws GeneralSecurityException {
    String algorithm = privateKey.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
    byte[] nonce = new byte[32];
    new SecureRandom().nextBytes(nonce);
    Signature signer = Signature.getInstance(algorithm);
    signer.initSign(privateKey);
    signer.update(nonce);
    byte[] signature = signer.sign();
    Signature verifier = Signature.getInstance(algorithm);
    verifier.initVerify(leaf.getPublicKey());
    verifier.update(nonce);
    if (!verifier.verify(signature)) {
      throw new GeneralSecurityException("the key does not match the certificate (rotation half done?)");
    }
  }

  private static long stamp(Path... files) throws IOException {
    long stamp = 17;
    for (Path file : files) {
      stamp = stamp * 31 + Files.getLastModifiedTime(file).toMillis();
      stamp = stamp * 31 + Files.size(file);
    }
    return stamp;
  }
}
