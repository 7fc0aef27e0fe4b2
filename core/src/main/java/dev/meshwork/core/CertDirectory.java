package dev.meshwork.core;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The directory that holds the dev CA and the certificates of every mesh identity, so that every
 * process finds its files the same way. For a directory {@code D}:
 *
 * <pre>
 * D/ca.crt              the CA certificate: the trust anchor every process loads
 * D/ca.key              the CA private key (only meshctl needs it)
 * D/&lt;kind&gt;/&lt;name&gt;.crt  an identity's chain, leaf first, e.g. D/agent/echo.crt
 * D/&lt;kind&gt;/&lt;name&gt;.key  its PKCS#8 private key (mode 0600), e.g. D/client/alice.key
 * </pre>
 *
 * <p>The default directory is {@code $MESHWORK_CERT_DIR}, else {@code $MESHWORK_DATA_DIR/certs},
 * else {@code .data/certs} relative to the working directory (see {@link #fromEnvironment}), the
 * same default the servers' {@code --cert-dir} setting has.
 *
 * @param root the directory {@code D}
 */
public record CertDirectory(Path root) {

  /** The environment variable naming the certificate directory itself. */
  public static final String CERT_DIR_ENV = "MESHWORK_CERT_DIR";

  /** The environment variable naming the data directory; certificates live in its {@code certs}. */
  public static final String DATA_DIR_ENV = "MESHWORK_DATA_DIR";

  /** The data directory used when {@value #DATA_DIR_ENV} is unset, relative to the working dir. */
  public static final String DEFAULT_DATA_DIR = ".data";

  /** Checks the argument. */
  public CertDirectory {
    requireNonNull(root, "root");
  }

  /**
   * {@code $MESHWORK_CERT_DIR}, else {@code $MESHWORK_DATA_DIR/certs}, else {@code .data/certs},
   * per the given environment (blank values count as unset).
   */
  public static CertDirectory fromEnvironment(Map<String, String> environment) {
    requireNonNull(environment, "environment");
    String certDir = environment.get(CERT_DIR_ENV);
    if (certDir != null && !certDir.isBlank()) {
      return new CertDirectory(Path.of(certDir));
    }
    String dataDir = environment.get(DATA_DIR_ENV);
    Path base = dataDir == null || dataDir.isBlank() ? Path.of(DEFAULT_DATA_DIR) : Path.of(dataDir);
    return new CertDirectory(base.resolve("certs"));
  }

  /** {@code D/ca.crt}. */
  public Path caCert() {
    return root.resolve("ca.crt");
  }

  /** {@code D/ca.key}. */
  public Path caKey() {
    return root.resolve("ca.key");
  }

  /** {@code D/<kind>/<name>.crt}. */
  public Path certFile(MeshIdentity identity) {
    requireNonNull(identity, "identity");
    return root.resolve(identity.kind()).resolve(identity.name() + ".crt");
  }

  /** {@code D/<kind>/<name>.key}. */
  public Path keyFile(MeshIdentity identity) {
    requireNonNull(identity, "identity");
    return root.resolve(identity.kind()).resolve(identity.name() + ".key");
  }

  /** Whether both CA files exist. */
  public boolean hasCa() {
    return Files.isRegularFile(caCert()) && Files.isRegularFile(caKey());
  }

  /** Whether both files of {@code identity} exist. */
  public boolean has(MeshIdentity identity) {
    return Files.isRegularFile(certFile(identity)) && Files.isRegularFile(keyFile(identity));
  }

  /**
   * Writes {@code issued} as the files of {@code identity}: the key first, then the chain, each
   * atomically.
   */
  public void write(MeshIdentity identity, IssuedCertificate issued) throws IOException {
    requireNonNull(issued, "issued");
    PemFiles.writePrivateKey(keyFile(identity), issued.key());
    PemFiles.writeCertificates(certFile(identity), issued.chain());
  }

  /**
   * Reads the files of {@code identity}.
   *
   * @throws IOException when they are missing, unreadable, or the key does not match the
   *     certificate
   */
  public IssuedCertificate read(MeshIdentity identity) throws IOException {
    return IssuedCertificate.read(certFile(identity), keyFile(identity));
  }
}
