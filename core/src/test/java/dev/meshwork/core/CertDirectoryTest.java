package dev.meshwork.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertDirectoryTest {

  private static final MeshIdentity ALICE = new MeshIdentity("meshwork.local", "client", "alice");

  @TempDir Path tmp;

  @Test
  void paths_identity_followLayout() {
    CertDirectory dir = new CertDirectory(Path.of("/d"));

    assertThat(dir.caCert()).isEqualTo(Path.of("/d/ca.crt"));
    assertThat(dir.caKey()).isEqualTo(Path.of("/d/ca.key"));
    assertThat(dir.certFile(ALICE)).isEqualTo(Path.of("/d/client/alice.crt"));
    assertThat(dir.keyFile(ALICE)).isEqualTo(Path.of("/d/client/alice.key"));
  }

  @Test
  void fromEnvironment_nothingSet_isDotDataCerts() {
    assertThat(CertDirectory.fromEnvironment(Map.of()).root()).isEqualTo(Path.of(".data/certs"));
  }

  @Test
  void fromEnvironment_dataDirSet_isItsCertsSubdirectory() {
    CertDirectory dir = CertDirectory.fromEnvironment(Map.of("MESHWORK_DATA_DIR", "/var/mesh"));

    assertThat(dir.root()).isEqualTo(Path.of("/var/mesh/certs"));
  }

  @Test
  void fromEnvironment_certDirSet_winsOverDataDir() {
    CertDirectory dir =
        CertDirectory.fromEnvironment(
            Map.of("MESHWORK_DATA_DIR", "/var/mesh", "MESHWORK_CERT_DIR", "/etc/mesh-certs"));

    assertThat(dir.root()).isEqualTo(Path.of("/etc/mesh-certs"));
  }

  @Test
  void write_issuedCertificate_createsBothFiles() throws Exception {
    CertDirectory dir = new CertDirectory(tmp);
    DevCertificateAuthority ca = DevCertificateAuthority.create("meshwork.local");
    assertThat(dir.has(ALICE)).isFalse();
    assertThat(dir.hasCa()).isFalse();

    ca.writeTo(dir);
    dir.write(ALICE, ca.issue(ALICE));

    assertThat(dir.hasCa()).isTrue();
    assertThat(dir.has(ALICE)).isTrue();
    assertThat(MeshIdentities.fromCertificate(PemFiles.readCertificate(dir.certFile(ALICE))))
        .contains(ALICE);
  }
}
