package dev.meshwork.cli.remote;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshwork.cli.MeshctlRun;
import dev.meshwork.cli.testing.FakeMesh;
import dev.meshwork.core.MeshIdentity;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConnectionOptionsTest {

  @TempDir Path tmp;

  private FakeMesh mesh;

  @BeforeEach
  void start() throws Exception {
    mesh = FakeMesh.start();
  }

  @AfterEach
  void stop() throws Exception {
    mesh.close();
  }

  @Test
  void settings_nothingGiven_devDefaults() {
    mesh.meshctl("agents", "list");

    ConnectionSettings settings = mesh.channels().opened().get(0);
    assertThat(settings.registry()).isEqualTo("localhost:7001");
    assertThat(settings.orchestrator()).isEqualTo("localhost:7002");
    assertThat(settings.certDir().root()).isEqualTo(Path.of(".data/certs"));
    assertThat(settings.identity())
        .isEqualTo(new MeshIdentity("meshwork.local", "client", "alice"));
    assertThat(settings.insecure()).isFalse();
    assertThat(settings.timeout()).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void settings_environment_usedWhenNoOptions() {
    mesh.env("MESHWORK_REGISTRY", "reg:1")
        .env("MESHWORK_ORCHESTRATOR", "orch:2")
        .env("MESHWORK_DATA_DIR", tmp.toString())
        .env("MESHWORK_USER", "bob")
        .env("MESHWORK_INSECURE", "true");

    mesh.meshctl("agents", "list");

    ConnectionSettings settings = mesh.channels().opened().get(0);
    assertThat(settings.registry()).isEqualTo("reg:1");
    assertThat(settings.orchestrator()).isEqualTo("orch:2");
    assertThat(settings.certDir().root()).isEqualTo(tmp.resolve("certs"));
    assertThat(settings.identity().kindAndName()).isEqualTo("client/bob");
    assertThat(settings.insecure()).isTrue();
  }

  @Test
  void settings_options_winOverEnvironment() {
    mesh.env("MESHWORK_REGISTRY", "reg:1")
        .env("MESHWORK_CERT_DIR", "/elsewhere")
        .env("MESHWORK_IDENTITY", "client/carol");

    mesh.meshctl(
        "agents",
        "list",
        "--registry",
        "reg:9",
        "--cert-dir",
        tmp.toString(),
        "--identity",
        "agent/text",
        "--timeout",
        "1500ms");

    ConnectionSettings settings = mesh.channels().opened().get(0);
    assertThat(settings.registry()).isEqualTo("reg:9");
    assertThat(settings.certDir().root()).isEqualTo(tmp);
    assertThat(settings.identity().kindAndName()).isEqualTo("agent/text");
    assertThat(settings.timeout()).isEqualTo(Duration.ofMillis(1500));
  }

  @Test
  void settings_badIdentity_exits2() {
    MeshctlRun run = mesh.meshctl("agents", "list", "--identity", "wizard/merlin");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).startsWith("meshctl: --identity: ");
    assertThat(mesh.channels().opened()).isEmpty();
  }

  @Test
  void connect_noCertificates_exits2WithHowToFix() {
    MeshctlRun run =
        MeshctlRun.run(Map.of("USER", "alice"), "agents", "list", "--cert-dir", tmp.toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err())
        .isEqualTo(
            "meshctl: no CA certificate "
                + tmp.resolve("ca.crt")
                + " (run 'meshctl certs init',"
                + " set --cert-dir, or pass --insecure for a plaintext dev mesh)\n");
  }

  @Test
  void connect_noClientCertificate_namesTheIdentity() {
    MeshctlRun init =
        MeshctlRun.run(Map.of("USER", "alice"), "certs", "init", "--dir", tmp.toString());
    assertThat(init.exitCode()).as(init.err()).isZero();

    MeshctlRun run =
        MeshctlRun.run(Map.of("USER", "zed"), "agents", "list", "--cert-dir", tmp.toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err())
        .isEqualTo(
            "meshctl: no certificate for client/zed in "
                + tmp
                + " (issue it with 'meshctl certs"
                + " issue client/zed', or pick another with --identity / $MESHWORK_USER)\n");
  }

  @Test
  void connect_realChannelNothingListening_cannotReach() {
    MeshctlRun run =
        MeshctlRun.run(
            Map.of(),
            "agents",
            "list",
            "--insecure",
            "--registry",
            "127.0.0.1:1",
            "--timeout",
            "30s");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err())
        .isEqualTo(
            "meshctl: cannot reach the registry at 127.0.0.1:1 (is it running? ./mesh up)\n");
  }

  @Test
  void connect_realChannelWithCertificates_cannotReach() {
    MeshctlRun init =
        MeshctlRun.run(Map.of("USER", "alice"), "certs", "init", "--dir", tmp.toString());
    assertThat(init.exitCode()).as(init.err()).isZero();

    MeshctlRun run =
        MeshctlRun.run(
            Map.of("USER", "alice", "MESHWORK_CERT_DIR", tmp.toString()),
            "run",
            "get",
            "r-1",
            "--orchestrator",
            "127.0.0.1:1",
            "--timeout",
            "30s");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err())
        .isEqualTo(
            "meshctl: cannot reach the orchestrator at 127.0.0.1:1 (is it running? ./mesh up)\n");
  }
}
