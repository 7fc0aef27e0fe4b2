package dev.meshwork.cli.remote;

import static dev.meshwork.cli.testing.Protos.instance;
import static org.assertj.core.api.Assertions.assertThat;

import dev.meshwork.cli.MeshctlRun;
import dev.meshwork.cli.testing.FakeRegistry;
import dev.meshwork.core.AuthorizationPolicy;
import dev.meshwork.core.CertDirectory;
import dev.meshwork.core.MeshIdentity;
import dev.meshwork.core.MeshServer;
import dev.meshwork.core.ServerConfig;
import dev.meshwork.core.TlsConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * meshctl's real channels (core {@code MeshChannels}, mTLS) against a real {@link MeshServer}
 * hosting the fake registry, with the certificates {@code meshctl certs init} writes.
 */
class MeshctlOverMtlsTest {

  @TempDir Path tmp;

  private MeshServer server;
  private Map<String, String> env;

  @BeforeEach
  void start() {
    MeshctlRun init =
        MeshctlRun.run(Map.of("USER", "alice"), "certs", "init", "--dir", tmp.toString());
    assertThat(init.exitCode()).as(init.err()).isZero();
    CertDirectory dir = new CertDirectory(tmp);
    MeshIdentity registry = new MeshIdentity("meshwork.local", "registry", "registry");
    TlsConfig tls =
        new TlsConfig(
            false,
            registry,
            dir.certFile(registry),
            dir.keyFile(registry),
            dir.caCert(),
            Duration.ofMinutes(1));
    server =
        MeshServer.builder(new ServerConfig("127.0.0.1", 0, Duration.ZERO, Optional.empty(), tls))
            .addService(new FakeRegistry().add(instance("i-1", "text", 7101, "text.summarize")))
            .policy(
                AuthorizationPolicy.builder()
                    .allow("meshwork.registry.v1.RegistryService/*", "client/*")
                    .build())
            .build()
            .start();
    env =
        Map.of(
            "USER",
            "alice",
            "MESHWORK_CERT_DIR",
            tmp.toString(),
            "MESHWORK_REGISTRY",
            "127.0.0.1:" + server.port());
  }

  @AfterEach
  void stop() {
    server.shutdown();
  }

  @Test
  void agentsList_clientIdentity_listsOverMtls() {
    MeshctlRun run = MeshctlRun.run(env, "agents", "list");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("i-1 ").contains("text.summarize");
  }

  @Test
  void agentsList_identityNotAllowed_permissionDeniedNamesCaller() {
    MeshctlRun run = MeshctlRun.run(env, "agents", "list", "--identity", "agent/text");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err())
        .startsWith("meshctl: PERMISSION_DENIED: ")
        .endsWith(" (calling as agent/text)\n");
    assertThat(run.err().lines()).hasSize(1);
  }

  @Test
  void agentsList_plaintextAgainstTls_cannotReach() {
    MeshctlRun run = MeshctlRun.run(env, "agents", "list", "--insecure");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err())
        .isEqualTo(
            "meshctl: cannot reach the registry at 127.0.0.1:"
                + server.port()
                + " (is it running? ./mesh up)\n");
  }
}
