package dev.meshwork.core;

import static java.util.Objects.requireNonNull;

import dev.meshwork.core.internal.TlsFileReloader;
import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ServerCredentials;
import io.grpc.TlsChannelCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.util.AdvancedTlsX509KeyManager;
import io.grpc.util.AdvancedTlsX509TrustManager;
import java.io.Closeable;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The mTLS material of a process, re-read from its files every {@link TlsConfig#refresh()} so that
 * rotated certificates and trust bundles are used by new connections without a restart.
 *
 * <p>Peers are verified by chain (to the mesh CA) and by identity: the peer certificate must carry
 * a SPIFFE URI SAN in our trust domain. Host names are not checked, because in the mesh an address
 * comes from the registry and the SPIFFE id, not the host name, is what names a workload.
 */
public final class MeshTls implements Closeable {

  private final TlsConfig config;
  private final AdvancedTlsX509KeyManager keyManager;
  private final AdvancedTlsX509TrustManager trustManager;
  private final ScheduledExecutorService reloader;

  private MeshTls(TlsConfig config) throws IOException, GeneralSecurityException {
    this.config = config;
    this.reloader =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "meshwork-tls-reload");
              t.setDaemon(true);
              return t;
            });
    if (config.insecure()) {
      this.keyManager = null;
      this.trustManager = null;
      return;
    }
    String trustDomain = config.identity().trustDomain();
    this.keyManager = new AdvancedTlsX509KeyManager();
    this.trustManager =
        AdvancedTlsX509TrustManager.newBuilder()
            .setVerification(AdvancedTlsX509TrustManager.Verification.CERTIFICATE_ONLY_VERIFICATION)
            .setSslSocketAndEnginePeerVerifier(
                new AdvancedTlsX509TrustManager.SslSocketAndEnginePeerVerifier() {
                  @Override
                  public void verifyPeerCertificate(
                      X509Certificate[] chain, String authType, java.net.Socket socket)
                      throws CertificateException {
                    requireMeshIdentity(chain, trustDomain);
                  }

                  @Override
                  public void verifyPeerCertificate(
                      X509Certificate[] chain, String authType, javax.net.ssl.SSLEngine engine)
                      throws CertificateException {
                    requireMeshIdentity(chain, trustDomain);
                  }
                })
            .build();
    TlsFileReloader reloader =
        new TlsFileReloader(config.cert(), config.key(), config.ca(), keyManager, trustManager);
    reloader.loadInitial();
    long period = config.refresh().toMillis();
    this.reloader.scheduleWithFixedDelay(reloader, period, period, TimeUnit.MILLISECONDS);
  }

  /**
   * Loads the material and starts watching the files.
   *
   * @throws ConfigException when a file cannot be read or parsed
   */
  public static MeshTls load(TlsConfig config) {
    requireNonNull(config, "config");
    try {
      return new MeshTls(config);
    } catch (IOException | GeneralSecurityException e) {
      throw new ConfigException(
          "TLS files " + config.cert() + ", " + config.key() + ", " + config.ca()
              + " could not be loaded: " + e.getMessage());
    }
  }

  /** This process's identity. */
  public MeshIdentity identity() {
    return config.identity();
  }

  /** True in plaintext dev mode. */
  public boolean insecure() {
    return config.insecure();
  }

  /** Server credentials requiring a client certificate (plaintext in dev mode). */
  public ServerCredentials serverCredentials() {
    if (config.insecure()) {
      return InsecureServerCredentials.create();
    }
    return TlsServerCredentials.newBuilder()
        .keyManager(keyManager)
        .trustManager(trustManager)
        .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE)
        .build();
  }

  /** Channel credentials presenting this process's certificate (plaintext in dev mode). */
  public ChannelCredentials channelCredentials() {
    if (config.insecure()) {
      return InsecureChannelCredentials.create();
    }
    return TlsChannelCredentials.newBuilder()
        .keyManager(keyManager)
        .trustManager(trustManager)
        .build();
  }

  @Override
  public void close() {
    reloader.shutdownNow();
  }

  private static void requireMeshIdentity(X509Certificate[] chain, String trustDomain)
      throws CertificateException {
    if (chain == null || chain.length == 0) {
      throw new CertificateException("peer presented no certificate");
    }
    MeshIdentity identity =
        MeshIdentities.fromCertificate(chain[0])
            .orElseThrow(
                () -> new CertificateException("peer certificate has no spiffe:// URI SAN"));
    if (!identity.trustDomain().equals(trustDomain)) {
      throw new CertificateException(
          "peer " + identity + " is not in trust domain " + trustDomain);
    }
  }
}
