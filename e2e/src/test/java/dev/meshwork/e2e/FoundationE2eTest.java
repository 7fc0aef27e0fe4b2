package dev.meshwork.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The foundation as a user meets it: a real service process with mTLS, driven by the real grpcurl
 * with certificates from the real meshctl.
 */
class FoundationE2eTest {

  @TempDir static Path tmp;

  private static Path certs;
  private static String address;
  private static MeshProcess registry;
  private static Grpcurl client;

  @BeforeAll
  static void startRegistry() throws Exception {
    certs = tmp.resolve("certs");
    Meshctl.certsInit(certs, "e2e");
    int port = Meshctl.freePort();
    address = "localhost:" + port;
    registry =
        MeshProcess.start(
            "registry",
            Tools.jar("registry-service/target/meshwork-registry.jar"),
            Tools.logDir("foundation"),
            "--port", String.valueOf(port),
            "--cert-dir", certs.toString(),
            "--data-dir", tmp.toString());
    client = Grpcurl.as(certs, "client/e2e");
    registry.awaitServing(client, address);
  }

  @AfterAll
  static void stopRegistry() throws Exception {
    if (registry != null) {
      registry.close();
    }
  }

  @Test
  void grpcurlList_withClientCertificate_listsServicesByReflection() throws Exception {
    Exec.Result result = client.call(address, "list");

    assertThat(result.exitCode()).as(result.output()).isZero();
    assertThat(result.stdout())
        .contains("meshwork.registry.v1.RegistryService")
        .contains("grpc.health.v1.Health")
        .contains("grpc.reflection.v1.ServerReflection");
  }

  @Test
  void grpcurlDescribe_registryService_showsItsMethods() throws Exception {
    Exec.Result result = client.call(address, "describe", "meshwork.registry.v1.RegistryService");

    assertThat(result.exitCode()).as(result.output()).isZero();
    assertThat(result.stdout()).contains("rpc RegisterAgent").contains("rpc WatchAgentInstances");
  }

  @Test
  void healthCheck_withClientCertificate_serving() throws Exception {
    Exec.Result result = client.call(address, "grpc.health.v1.Health/Check");

    assertThat(result.exitCode()).as(result.output()).isZero();
    assertThat(result.stdout()).contains("\"status\": \"SERVING\"");
  }

  @Test
  void call_withoutClientCertificate_refused() throws Exception {
    Exec.Result result = Grpcurl.withoutClientCert(certs).call(address, "list");

    assertThat(result.exitCode()).isNotZero();
    assertThat(result.stdout()).doesNotContain("RegistryService");
    assertThat(result.stderr()).containsAnyOf("certificate", "handshake", "tls", "Failed");
  }

  @Test
  void call_withCertificateFromAnotherCa_refused() throws Exception {
    Path other = tmp.resolve("other-ca");
    Meshctl.certsInit(other, "e2e");

    Exec.Result result = Grpcurl.withForeignCert(certs, other, "client/e2e").call(address, "list");

    assertThat(result.exitCode()).isNotZero();
    assertThat(result.stdout()).doesNotContain("RegistryService");
  }

  @Test
  void call_validIdentityNotAllowedByPolicy_permissionDenied() throws Exception {
    // A client identity may read the registry but never register an agent.
    String body =
        "{\"card\":{\"name\":\"text\",\"skills\":[{\"id\":\"text.echo\"}]},"
            + "\"endpoint\":{\"host\":\"localhost\",\"port\":7999}}";

    Exec.Result result =
        client.callWithBody(address, body, "meshwork.registry.v1.RegistryService/RegisterAgent");

    assertThat(result.exitCode()).isNotZero();
    assertThat(result.output()).contains("PermissionDenied");
  }
}
