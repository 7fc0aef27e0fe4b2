package dev.meshwork.core;

import static java.util.Objects.requireNonNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Where a process finds its mTLS material and how it checks peers.
 *
 * <p>Settings (flag / environment variable, default):
 *
 * <ul>
 *   <li>{@code --insecure} / {@code MESHWORK_INSECURE}, false: plaintext, no identities. For local
 *       development only; never the default.
 *   <li>{@code --identity} / {@code MESHWORK_IDENTITY}: {@code <kind>/<name>} of this process; each
 *       process has its own default (for example {@code registry/registry}).
 *   <li>{@code --trust-domain} / {@code MESHWORK_TRUST_DOMAIN}, {@code meshwork.local}.
 *   <li>{@code --cert-dir} / {@code MESHWORK_CERT_DIR}, {@code <data-dir>/certs}: a directory laid
 *       out by {@code meshctl certs init} ({@code ca.crt}, {@code <kind>/<name>.crt|.key}).
 *   <li>{@code --tls-cert}, {@code --tls-key}, {@code --tls-ca} / {@code MESHWORK_TLS_*}: explicit
 *       files, overriding the cert directory.
 *   <li>{@code --tls-refresh} / {@code MESHWORK_TLS_REFRESH}, 30s: how often the files are re-read,
 *       so rotated certificates are used without a restart.
 * </ul>
 *
 * @param insecure plaintext dev mode
 * @param identity this process's identity
 * @param cert PEM certificate chain file
 * @param key PEM PKCS#8 private key file
 * @param ca PEM trust bundle file
 * @param refresh how often the files are re-read
 */
public record TlsConfig(
    boolean insecure, MeshIdentity identity, Path cert, Path key, Path ca, Duration refresh) {

  /** Validates the parts. */
  public TlsConfig {
    requireNonNull(identity, "identity");
    requireNonNull(cert, "cert");
    requireNonNull(key, "key");
    requireNonNull(ca, "ca");
    requireNonNull(refresh, "refresh");
  }

  /**
   * Reads the TLS settings.
   *
   * @param defaultIdentity {@code <kind>/<name>} used when {@code --identity} is not set
   * @throws ConfigException for a bad value, or a missing file when TLS is on
   */
  public static TlsConfig fromSettings(Settings settings, String defaultIdentity) {
    boolean insecure = settings.bool("insecure", false);
    String trustDomain = settings.string("trust-domain", MeshIdentity.DEFAULT_TRUST_DOMAIN);
    String identityText = settings.string("identity", defaultIdentity);
    MeshIdentity identity;
    try {
      identity = MeshIdentity.parseKindName(trustDomain, identityText);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("--identity / MESHWORK_IDENTITY: " + e.getMessage());
    }
    CertDirectory certDir =
        new CertDirectory(settings.path("cert-dir", dataDir(settings).resolve("certs")));
    Path cert = settings.path("tls-cert", certDir.certFile(identity));
    Path key = settings.path("tls-key", certDir.keyFile(identity));
    Path ca = settings.path("tls-ca", certDir.caCert());
    Duration refresh =
        settings.duration(
            "tls-refresh", Duration.ofSeconds(30), Duration.ofMillis(100), Duration.ofDays(1));
    if (!insecure) {
      requireFile(cert, "tls-cert");
      requireFile(key, "tls-key");
      requireFile(ca, "tls-ca");
    }
    return new TlsConfig(insecure, identity, cert, key, ca, refresh);
  }

  /** The data directory: {@code --data-dir} / {@code MESHWORK_DATA_DIR}, default {@code .data}. */
  public static Path dataDir(Settings settings) {
    return settings.path("data-dir", Path.of(".data"));
  }

  private static void requireFile(Path file, String setting) {
    if (!Files.isReadable(file)) {
      throw new ConfigException(
          "--" + setting + " / " + Settings.envName(setting) + ": '" + file
              + "' is not a readable file (run `meshctl certs init`, or pass --insecure for"
              + " plaintext dev mode)");
    }
  }
}
