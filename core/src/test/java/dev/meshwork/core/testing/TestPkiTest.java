package dev.meshwork.core.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshwork.core.DevCertificateAuthority;
import dev.meshwork.core.MeshIdentities;
import dev.meshwork.core.PemFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestPkiTest {

  @TempDir Path tmp;

  @Test
  void create_identities_writesCaAndTheirFiles() throws Exception {
    TestPki pki = TestPki.create(tmp.resolve("pki"), "registry/registry", "agent/echo");

    assertThat(pki.dir().hasCa()).isTrue();
    assertThat(Files.isRegularFile(pki.keyFile("agent/echo"))).isTrue();
    X509Certificate echo = PemFiles.readCertificate(pki.certFile("agent/echo"));
    assertThat(MeshIdentities.fromCertificate(echo)).contains(pki.identity("agent/echo"));
    assertThat(DevCertificateAuthority.load(pki.dir()).signed(echo)).isTrue();
  }

  @Test
  void unrelated_sameNames_isSignedByAnotherCa() throws Exception {
    TestPki pki = TestPki.create(tmp.resolve("pki"), "agent/echo");

    TestPki rogue = pki.unrelated(tmp.resolve("rogue"), "agent/echo");

    X509Certificate rogueEcho = PemFiles.readCertificate(rogue.certFile("agent/echo"));
    assertThat(MeshIdentities.fromCertificate(rogueEcho)).contains(pki.identity("agent/echo"));
    assertThat(pki.ca().signed(rogueEcho)).isFalse();
    assertThat(rogue.ca().signed(rogueEcho)).isTrue();
  }
}
