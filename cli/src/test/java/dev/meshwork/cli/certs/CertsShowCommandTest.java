package dev.meshwork.cli.certs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshwork.cli.MeshctlRun;
import dev.meshwork.core.CertDirectory;
import dev.meshwork.core.DevCertificateAuthority;
import dev.meshwork.core.IssuedCertificate;
import dev.meshwork.core.MeshIdentity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertsShowCommandTest {

  @TempDir Path tmp;

  @Test
  void show_issuedCertificate_printsSubjectSpiffeIdSerialAndNotAfter() throws Exception {
    CertDirectory dir = new CertDirectory(tmp);
    MeshIdentity echo = new MeshIdentity("meshwork.local", "agent", "echo");
    IssuedCertificate issued = DevCertificateAuthority.create("meshwork.local").issue(echo);
    dir.write(echo, issued);

    MeshctlRun run = MeshctlRun.run(Map.of(), "certs", "show", dir.certFile(echo).toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out())
        .contains("subject:    CN=agent/echo")
        .contains("spiffe id:  spiffe://meshwork.local/agent/echo")
        .contains("serial:     " + issued.cert().getSerialNumber().toString(16))
        .contains("not after:  " + issued.cert().getNotAfter().toInstant())
        .contains("chain:      2 certificates");
  }

  @Test
  void show_caCertificate_hasNoSpiffeId() throws Exception {
    CertDirectory dir = new CertDirectory(tmp);
    DevCertificateAuthority.create("meshwork.local").writeTo(dir);

    MeshctlRun run = MeshctlRun.run(Map.of(), "certs", "show", dir.caCert().toString());

    assertThat(run.out()).contains("spiffe id:  (none)");
  }

  @Test
  void show_missingFile_exits2() {
    MeshctlRun run = MeshctlRun.run(Map.of(), "certs", "show", tmp.resolve("nope.crt").toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).isEqualTo("meshctl: no such file: " + tmp.resolve("nope.crt") + "\n");
  }

  @Test
  void show_notACertificate_exits2() throws Exception {
    Path file = Files.writeString(tmp.resolve("junk.crt"), "junk");

    MeshctlRun run = MeshctlRun.run(Map.of(), "certs", "show", file.toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("no CERTIFICATE block");
  }

  @Test
  void notAfter_pastAndFuture_describeDistance() {
    Instant now = Instant.parse("2030-01-01T00:00:00Z");

    assertThat(CertsShowCommand.notAfter(now.plus(Duration.ofDays(30)), now))
        .endsWith("(in 30 days)");
    assertThat(CertsShowCommand.notAfter(now.minus(Duration.ofDays(2)), now))
        .endsWith("(EXPIRED 2 days ago)");
  }
}
