package dev.meshwork.cli.certs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshwork.cli.MeshctlRun;
import dev.meshwork.core.CertDirectory;
import dev.meshwork.core.DevCertificateAuthority;
import dev.meshwork.core.MeshIdentities;
import dev.meshwork.core.MeshIdentity;
import dev.meshwork.core.PemFiles;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertsInitCommandTest {

  private static final Map<String, String> ALICE = Map.of("USER", "alice");
  private static final List<String> EXPECTED =
      List.of(
          "registry/registry",
          "orchestrator/orchestrator",
          "gateway/gateway",
          "agent/text",
          "agent/data",
          "agent/report",
          "agent/llm",
          "agent/py-echo",
          "agent/go-echo",
          "agent/java-echo",
          "client/alice");

  @TempDir Path tmp;

  @Test
  void init_emptyDir_createsCaAndAllIdentities() throws Exception {
    CertDirectory dir = new CertDirectory(tmp.resolve("certs"));

    MeshctlRun run = init(ALICE);

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(dir.hasCa()).isTrue();
    DevCertificateAuthority ca = DevCertificateAuthority.load(dir);
    for (String kindAndName : EXPECTED) {
      MeshIdentity identity = MeshIdentity.parseKindName("meshwork.local", kindAndName);
      assertThat(dir.has(identity)).as(kindAndName).isTrue();
      X509Certificate cert = dir.read(identity).cert();
      assertThat(ca.signed(cert)).as(kindAndName).isTrue();
      assertThat(MeshIdentities.fromCertificate(cert)).contains(identity);
      Path key = dir.keyFile(identity);
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key)))
          .isEqualTo("rw-------");
    }
    assertThat(run.out().lines().filter(line -> line.startsWith("created "))).hasSize(EXPECTED.size() + 1);
    assertThat(run.out())
        .contains(
            "grpcurl -cacert "
                + dir.caCert()
                + " -cert "
                + tmp.resolve("certs/client/alice.crt")
                + " -key "
                + tmp.resolve("certs/client/alice.key")
                + " localhost:7001 list");
  }

  @Test
  void init_twice_keepsCaAndCertificates() throws Exception {
    CertDirectory dir = new CertDirectory(tmp.resolve("certs"));
    init(ALICE);
    BigInteger caSerial = PemFiles.readCertificate(dir.caCert()).getSerialNumber();
    BigInteger textSerial = serialOf(dir, "agent/text");

    MeshctlRun again = init(ALICE);

    assertThat(again.exitCode()).as(again.err()).isZero();
    assertThat(PemFiles.readCertificate(dir.caCert()).getSerialNumber()).isEqualTo(caSerial);
    assertThat(serialOf(dir, "agent/text")).isEqualTo(textSerial);
    assertThat(again.out().lines().filter(line -> line.startsWith("kept "))).hasSize(EXPECTED.size() + 1);
    assertThat(again.out()).doesNotContain("created ");
  }

  @Test
  void init_existingCaNewUser_issuesOnlyTheMissingClient() throws Exception {
    init(ALICE);

    MeshctlRun run = init(ALICE, "--user", "bob");

    assertThat(run.out().lines().filter(line -> line.startsWith("created ")))
        .singleElement()
        .asString()
        .contains("client/bob");
  }

  @Test
  void init_certificateSignedByAnotherCa_isRenewed() throws Exception {
    CertDirectory dir = new CertDirectory(tmp.resolve("certs"));
    init(ALICE);
    MeshIdentity llm = MeshIdentity.parseKindName("meshwork.local", "agent/llm");
    dir.write(llm, DevCertificateAuthority.create("meshwork.local").issue(llm));

    MeshctlRun run = init(ALICE);

    assertThat(run.out()).containsPattern("renewed +agent/llm .*\\(signed by another CA\\)");
    assertThat(DevCertificateAuthority.load(dir).signed(dir.read(llm).cert())).isTrue();
  }

  @Test
  void init_force_replacesCaAndReissuesEveryIdentity() throws Exception {
    CertDirectory dir = new CertDirectory(tmp.resolve("certs"));
    init(ALICE);
    MeshctlRun issued =
        MeshctlRun.run(ALICE, "certs", "issue", "agent/echo", "--dir", dir.root().toString());
    assertThat(issued.exitCode()).as(issued.err()).isZero();
    BigInteger oldCaSerial = PemFiles.readCertificate(dir.caCert()).getSerialNumber();

    MeshctlRun run = init(ALICE, "--force");

    assertThat(run.exitCode()).as(run.err()).isZero();
    DevCertificateAuthority ca = DevCertificateAuthority.load(dir);
    assertThat(ca.certificate().getSerialNumber()).isNotEqualTo(oldCaSerial);
    List<String> all = new ArrayList<>(EXPECTED);
    all.add("agent/echo");
    for (String kindAndName : all) {
      MeshIdentity identity = MeshIdentity.parseKindName("meshwork.local", kindAndName);
      assertThat(ca.signed(dir.read(identity).cert())).as(kindAndName).isTrue();
    }
    assertThat(run.out()).containsPattern("replaced +CA ");
  }

  @Test
  void init_otherTrustDomainThanExistingCa_exits2() {
    init(ALICE);

    MeshctlRun run = init(ALICE, "--trust-domain", "example.org");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err())
        .isEqualTo(
            "meshctl: the CA in "
                + tmp.resolve("certs")
                + " is for trust domain"
                + " 'meshwork.local', not 'example.org' (pass --force to replace it and every"
                + " certificate)\n");
  }

  @Test
  void init_trustDomain_issuesIdentitiesInIt() throws Exception {
    CertDirectory dir = new CertDirectory(tmp.resolve("certs"));

    MeshctlRun run = init(ALICE, "--trust-domain", "example.org");

    assertThat(run.exitCode()).as(run.err()).isZero();
    MeshIdentity alice = new MeshIdentity("example.org", "client", "alice");
    assertThat(MeshIdentities.fromCertificate(dir.read(alice).cert())).contains(alice);
  }

  @Test
  void init_badTrustDomain_exits2() {
    MeshctlRun run = init(ALICE, "--trust-domain", "Bad Domain");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).startsWith("meshctl: --trust-domain: trust domain: 'Bad Domain'");
  }

  @Test
  void init_badUser_exits2() {
    MeshctlRun run = init(ALICE, "--user", "Bob Smith");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).startsWith("meshctl: --user: 'Bob Smith' (expected:");
  }

  @Test
  void init_userEnvironmentVariable_isSanitized() throws Exception {
    CertDirectory dir = new CertDirectory(tmp.resolve("certs"));

    init(Map.of("USER", "Jane.Doe@CORP"));

    assertThat(dir.has(new MeshIdentity("meshwork.local", "client", "jane-doe-corp"))).isTrue();
  }

  @Test
  void init_noUserVariable_usesDev() throws Exception {
    CertDirectory dir = new CertDirectory(tmp.resolve("certs"));

    init(Map.of());

    assertThat(dir.has(new MeshIdentity("meshwork.local", "client", "dev"))).isTrue();
  }

  @Test
  void init_noDirOption_usesMeshworkDataDir() {
    Map<String, String> env = Map.of("USER", "alice", "MESHWORK_DATA_DIR", tmp.toString());

    MeshctlRun run = MeshctlRun.run(env, "certs", "init");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(new CertDirectory(tmp.resolve("certs")).hasCa()).isTrue();
  }

  @Test
  void init_onlyCaKeyPresent_exits2() throws Exception {
    Path certs = Files.createDirectories(tmp.resolve("certs"));
    Files.writeString(certs.resolve("ca.key"), "x");

    MeshctlRun run = init(ALICE);

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("holds only one of ca.crt and ca.key");
  }

  @Test
  void init_meshworkUserVariable_winsOverUser() throws Exception {
    CertDirectory dir = new CertDirectory(tmp.resolve("certs"));

    init(Map.of("USER", "alice", "MESHWORK_USER", "bob"));

    assertThat(dir.has(new MeshIdentity("meshwork.local", "client", "bob"))).isTrue();
    assertThat(dir.has(new MeshIdentity("meshwork.local", "client", "alice"))).isFalse();
  }

  private MeshctlRun init(Map<String, String> env, String... options) {
    List<String> args = new ArrayList<>(List.of("certs", "init"));
    args.addAll(List.of("--dir", tmp.resolve("certs").toString()));
    args.addAll(List.of(options));
    return MeshctlRun.run(env, args.toArray(String[]::new));
  }

  private static BigInteger serialOf(CertDirectory dir, String kindAndName) throws Exception {
    return dir.read(MeshIdentity.parseKindName("meshwork.local", kindAndName))
        .cert()
        .getSerialNumber();
  }
}
