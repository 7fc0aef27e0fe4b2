package dev.meshwork.cli.agents;

import static dev.meshwork.cli.testing.Protos.instance;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.JsonFormat;
import dev.meshwork.api.registry.v1.AgentInstance;
import dev.meshwork.api.registry.v1.HealthState;
import dev.meshwork.api.registry.v1.ListAgentInstancesRequest;
import dev.meshwork.api.registry.v1.ListAgentInstancesResponse;
import dev.meshwork.cli.MeshctlRun;
import dev.meshwork.cli.testing.FakeMesh;
import dev.meshwork.core.FieldViolation;
import dev.meshwork.core.MeshException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AgentsListCommandTest {

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
  void list_instances_printsTableWithEveryColumn() {
    mesh.registry().add(instance("i-1", "text", 7101, "text.summarize", "text.keywords"));

    MeshctlRun run = mesh.meshctl("agents", "list");

    assertThat(run.exitCode()).as(run.err()).isZero();
    List<String> lines = run.out().lines().toList();
    assertThat(lines.get(0))
        .matches("INSTANCE +AGENT +VERSION +SKILLS +ENDPOINT +HEALTH +IN-FLIGHT +UTIL +LEASE LEFT");
    assertThat(lines.get(1))
        .matches(
            "i-1 +text +1\\.2\\.0 +text\\.summarize,text\\.keywords +127\\.0\\.0\\.1:7101"
                + " +SERVING +2 +0\\.25 +(29|30)s");
    assertThat(lines).hasSize(2);
  }

  @Test
  void list_manyPages_followsPageTokens() {
    mesh.registry().maxPageSize(2);
    for (int i = 1; i <= 5; i++) {
      mesh.registry().add(instance("i-" + i, "text", 7100 + i, "text.summarize"));
    }

    MeshctlRun run = mesh.meshctl("agents", "list");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out().lines().skip(1).map(line -> line.split(" +")[0]))
        .containsExactly("i-1", "i-2", "i-3", "i-4", "i-5");
    assertThat(mesh.registry().listRequests())
        .extracting(ListAgentInstancesRequest::getPageToken)
        .containsExactly("", "2", "4");
  }

  @Test
  void list_filters_sentToRegistry() {
    MeshctlRun run =
        mesh.meshctl(
            "agents",
            "list",
            "--skill",
            "text.summarize",
            "--agent",
            "text",
            "--label",
            "zone=eu",
            "--label",
            "tier=gold",
            "--health",
            "not_serving");

    assertThat(run.exitCode()).as(run.err()).isZero();
    ListAgentInstancesRequest request = mesh.registry().listRequests().get(0);
    assertThat(request.getFilter().getSkillId()).isEqualTo("text.summarize");
    assertThat(request.getFilter().getAgentName()).isEqualTo("text");
    assertThat(request.getFilter().getLabelsMap()).isEqualTo(Map.of("zone", "eu", "tier", "gold"));
    assertThat(request.getFilter().getHealth()).isEqualTo(HealthState.HEALTH_STATE_NOT_SERVING);
  }

  @Test
  void list_noInstances_saysSoOnStderr() {
    MeshctlRun run = mesh.meshctl("agents", "list", "--skill", "nope");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).isEmpty();
    assertThat(run.err()).isEqualTo("no agent instances match\n");
  }

  @Test
  void list_json_printsProtoJsonOfAllInstances() throws Exception {
    mesh.registry()
        .maxPageSize(1)
        .add(instance("i-1", "text", 7101, "a"), instance("i-2", "data", 7102, "b"));

    MeshctlRun run = mesh.meshctl("agents", "list", "-o", "json");

    assertThat(run.exitCode()).as(run.err()).isZero();
    ListAgentInstancesResponse.Builder parsed = ListAgentInstancesResponse.newBuilder();
    JsonFormat.parser().merge(run.out(), parsed);
    assertThat(parsed.getInstancesList())
        .extracting(AgentInstance::getInstanceId)
        .containsExactly("i-1", "i-2");
    assertThat(run.out()).contains("\"instance_id\"");
  }

  @Test
  void list_badHealth_exits2WithChoices() {
    MeshctlRun run = mesh.meshctl("agents", "list", "--health", "sick");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err())
        .isEqualTo("meshctl: --health: 'sick' (expected one of: SERVING, NOT_SERVING, DRAINING)\n");
  }

  @Test
  void list_invalidArgument_printsFieldViolationsIndented() {
    mesh.registry()
        .failList(
            MeshException.invalidArgument(
                List.of(
                    new FieldViolation("filter.labels", "key 'Zone!' is not DNS-label-like"),
                    new FieldViolation("page_size", "5000 (expected: 1..1000)"))));

    MeshctlRun run = mesh.meshctl("agents", "list");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err())
        .isEqualTo(
            "meshctl: INVALID_ARGUMENT: the registry rejected the request (2 field violations)\n"
                + "  filter.labels: key 'Zone!' is not DNS-label-like\n"
                + "  page_size: 5000 (expected: 1..1000)\n");
  }

  @Test
  void list_registryUnreachable_printsHint() {
    MeshctlRun run = FakeMesh.withoutServer("agents", "list");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err())
        .isEqualTo(
            "meshctl: cannot reach the registry at localhost:7001 (is it running? ./mesh up)\n");
  }
}
