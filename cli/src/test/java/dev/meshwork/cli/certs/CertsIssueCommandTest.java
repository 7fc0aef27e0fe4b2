package dev.meshwork.cli.certs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshwork.cli.MeshctlRun;
import dev.meshwork.core.CertDirectory;
import dev.meshwork.core.DevCertificateAuthority;
import dev.meshwork.core.MeshIdentities;
import dev.meshwork.core.MeshIdentity;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertsIssueCommandTest {

  private static final MeshIdentity ECHO = new MeshIdentity("meshwork.local", "agent", "echo");

  @TempDir Path tmp;

  private CertDirectory dir;

  @BeforeEach
  void createCa() throws Exception {
    dir = new CertDirectory(tmp.resolve("certs"));
    DevCertificateAuthority.create("meshwork.local").writeTo(dir);
  }

  @Test
  void issue_newIdentity_writesCertificateSignedByCa() throws Exception {
    MeshctlRun run = issue("agent/echo");

    assertThat(run.exitCode()).as(run.err()).isZero();
    X509Certificate cert = dir.read(ECHO).cert();
    assertThat(DevCertificateAuthority.load(dir).signed(cert)).isTrue();
    assertThat(MeshIdentities.fromCertificate(cert)).contains(ECHO);
    assertThat(run.out()).containsPattern("created +agent/echo ");
    assertThat(Duration.between(Instant.now(), cert.getNotAfter().toInstant()))
        .isBetween(Duration.ofDays(364), Duration.ofDays(365));
  }

  @Test
  void issue_validity_setsNotAfter() throws Exception {
    MeshctlRun run = issue("agent/echo", "--validity", "12h");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(Duration.between(Instant.now(), dir.read(ECHO).cert().getNotAfter().toInstant()))
        .isBetween(Duration.ofHours(11), Duration.ofHours(12));
  }

  @Test
  void issue_existingIdentity_replacesIt() throws Exception {
    issue("agent/echo");
    var before = dir.read(ECHO).cert().getSerialNumber();

    MeshctlRun run = issue("agent/echo");

    assertThat(run.out()).containsPattern("replaced +agent/echo ");
    assertThat(dir.read(ECHO).cert().getSerialNumber()).isNotEqualTo(before);
  }

  @Test
  void issue_identityInCaTrustDomain_usesIt() throws Exception {
    CertDirectory other = new CertDirectory(tmp.resolve("other"));
    DevCertificateAuthority.create("example.org").writeTo(other);

    MeshctlRun run =
        MeshctlRun.run(Map.of(), "certs", "issue", "client/bob", "--dir", other.root().toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("spiffe://example.org/client/bob");
  }

  @Test
  void issue_malformedIdentity_exits2WithMessage() {
    MeshctlRun run = issue("foo");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err())
        .isEqualTo("meshctl: identity: 'foo' (expected: <kind>/<name>, for example agent/echo)\n");
    assertThat(run.out()).isEmpty();
  }

  @Test
  void issue_unknownKind_exits2WithMessage() {
    MeshctlRun run = issue("wizard/merlin");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).startsWith("meshctl: kind: 'wizard' (expected: one of agent, client,");
  }

  @Test
  void issue_noCa_exits2WithHint() {
    Path empty = tmp.resolve("empty");

    MeshctlRun run =
        MeshctlRun.run(Map.of(), "certs", "issue", "agent/echo", "--dir", empty.toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err())
        .isEqualTo(
            "meshctl: no CA in "
                + empty
                + " (expected ca.crt and ca.key); run 'meshctl certs"
                + " init --dir "
                + empty
                + "' first\n");
  }

  @Test
  void issue_badValidity_exits2() {
    MeshctlRun run = issue("agent/echo", "--validity", "forever");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).startsWith("meshctl: Invalid value for option '--validity'");
  }

  private MeshctlRun issue(String identity, String... options) {
    String[] args = new String[4 + options.length];
    args[0] = "certs";
    args[1] = "issue";
    args[2] = "--dir=" + dir.root();
    args[3] = identity;
    System.arraycopy(options, 0, args, 4, options.length);
    return MeshctlRun.run(Map.of(), args);
  }
}
