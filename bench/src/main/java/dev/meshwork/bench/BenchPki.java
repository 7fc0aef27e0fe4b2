package dev.meshwork.bench;

import dev.meshwork.core.CertDirectory;
import dev.meshwork.core.DevCertificateAuthority;
import dev.meshwork.core.MeshIdentity;
import dev.meshwork.core.TlsConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/** A throw-away CA and certificates for the processes of one benchmark run. */
final class BenchPki {

  private final CertDirectory dir;

  private BenchPki(CertDirectory dir) {
    this.dir = dir;
  }

  /** Creates a CA in {@code root} and certificates for {@code kindAndNames}. */
  static BenchPki create(Path root, String... kindAndNames) throws IOException {
    CertDirectory dir = new CertDirectory(root);
    DevCertificateAuthority ca = DevCertificateAuthority.create(MeshIdentity.DEFAULT_TRUST_DOMAIN);
    ca.writeTo(dir);
    for (String kindAndName : kindAndNames) {
      MeshIdentity identity = identity(kindAndName);
      dir.write(identity, ca.issue(identity));
    }
    return new BenchPki(dir);
  }

  Path root() {
    return dir.root();
  }

  /** Client TLS settings for one of the identities. */
  TlsConfig tls(String kindAndName) {
    MeshIdentity identity = identity(kindAndName);
    return new TlsConfig(
        false,
        identity,
        dir.certFile(identity),
        dir.keyFile(identity),
        dir.caCert(),
        Duration.ofMinutes(5));
  }

  private static MeshIdentity identity(String kindAndName) {
    return MeshIdentity.parseKindName(MeshIdentity.DEFAULT_TRUST_DOMAIN, kindAndName);
  }
}
