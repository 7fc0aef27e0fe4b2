package dev.meshwork.cli.workflows;

import static dev.meshwork.cli.testing.Protos.pipeline;
import static org.assertj.core.api.Assertions.assertThat;

import dev.meshwork.api.orchestrator.v1.GetWorkflowRequest;
import dev.meshwork.api.orchestrator.v1.PutWorkflowRequest;
import dev.meshwork.api.orchestrator.v1.RetryPolicy;
import dev.meshwork.api.orchestrator.v1.WorkflowSpec;
import dev.meshwork.cli.MeshctlRun;
import dev.meshwork.cli.testing.FakeMesh;
import dev.meshwork.core.FieldViolation;
import dev.meshwork.core.MeshException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkflowCommandsTest {

  private static final String REVIEW =
      """
      name: review
      description: Fetch a page and summarize it
      timeout: 60s
      default_retry: { max_attempts: 4 }
      steps:
        - id: fetch
          skill: web.fetch
          input: { url: "{{ input.url }}" }
        - id: summarize
          skill: text.summarize
          depends_on: [fetch]
          on_failure: FAILURE_ACTION_CONTINUE
      """;

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
  void put_yamlFile_sendsSpecAndPrintsVersion() throws Exception {
    mesh.orchestrator().store(pipeline("review", 0, "old"));

    MeshctlRun run = mesh.meshctl("workflow", "put", file("review.yaml", REVIEW).toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).isEqualTo("workflow review version 2 stored (2 steps)\n");
    WorkflowSpec sent = mesh.orchestrator().requests(PutWorkflowRequest.class).get(0).getWorkflow();
    assertThat(sent.getTimeout().getSeconds()).isEqualTo(60);
    assertThat(sent.getDefaultRetry())
        .isEqualTo(RetryPolicy.newBuilder().setMaxAttempts(4).build());
    assertThat(sent.getSteps(1).getDependsOnList()).containsExactly("fetch");
  }

  @Test
  void put_badField_exits2WithFileLineAndField() throws Exception {
    Path bad = file("bad.yaml", "name: review\nsteps:\n  - id: fetch\n    skil: web.fetch\n");

    MeshctlRun run = mesh.meshctl("workflow", "put", bad.toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).startsWith("meshctl: " + bad + ":4: steps[0].skil: unknown field");
    assertThat(run.err().lines()).hasSize(1);
    assertThat(mesh.orchestrator().requests(PutWorkflowRequest.class)).isEmpty();
  }

  @Test
  void put_missingFile_exits2() {
    MeshctlRun run = mesh.meshctl("workflow", "put", tmp.resolve("nope.yaml").toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).isEqualTo("meshctl: no such file: " + tmp.resolve("nope.yaml") + "\n");
  }

  @Test
  void put_rejectedByOrchestrator_printsEachViolation() throws Exception {
    mesh.orchestrator()
        .fail(
            "putWorkflow",
            MeshException.invalidArgument(
                List.of(
                    new FieldViolation("steps[1].depends_on[0]", "unknown step 'fetchh'"),
                    new FieldViolation("steps[1].skill", "no agent serves 'text.summarize'"))));

    MeshctlRun run = mesh.meshctl("workflow", "put", file("review.yaml", REVIEW).toString());

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err())
        .isEqualTo(
            "meshctl: INVALID_ARGUMENT: the orchestrator rejected the request (2 field"
                + " violations)\n"
                + "  steps[1].depends_on[0]: unknown step 'fetchh'\n"
                + "  steps[1].skill: no agent serves 'text.summarize'\n");
  }

  @Test
  void get_yaml_roundTripsThroughPut() throws Exception {
    WorkflowSpec stored = WorkflowFiles.parse("review.yaml", REVIEW);
    mesh.orchestrator().store(stored);

    MeshctlRun run = mesh.meshctl("workflow", "get", "review");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).startsWith("name: review\nversion: 1\n").contains("depends_on:");
    WorkflowSpec reread = WorkflowFiles.parse("out.yaml", run.out());
    assertThat(reread).isEqualTo(stored.toBuilder().setVersion(1).build());
  }

  @Test
  void get_versionAndJson_asked() {
    mesh.orchestrator().store(pipeline("review", 0, "a")).store(pipeline("review", 0, "a", "b"));

    MeshctlRun run = mesh.meshctl("workflow", "get", "review", "--version", "1", "-o", "json");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(mesh.orchestrator().requests(GetWorkflowRequest.class).get(0).getVersion())
        .isEqualTo(1);
    assertThat(run.out()).startsWith("{\n").contains("\"version\": 1").doesNotContain("\"b\"");
  }

  @Test
  void get_unknown_notFoundOneLiner() {
    MeshctlRun run = mesh.meshctl("workflow", "get", "nope");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err())
        .isEqualTo("meshctl: NOT_FOUND: workflow 'nope' not found [WORKFLOW_NOT_FOUND]\n");
  }

  @Test
  void list_manyPages_tableOfLatestVersions() {
    mesh.orchestrator().maxPageSize(1);
    mesh.orchestrator()
        .store(pipeline("alpha", 0, "a"))
        .store(pipeline("alpha", 0, "a", "b"))
        .store(pipeline("beta", 0, "x"));

    MeshctlRun run = mesh.meshctl("workflow", "list");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out().lines())
        .containsExactly(
            "NAME   VERSION  STEPS  SKILLS         DESCRIPTION",
            "alpha  2        2      text.a,text.b  -",
            "beta   1        1      text.x         -");
  }

  @Test
  void list_orchestratorUnreachable_printsHint() {
    MeshctlRun run = FakeMesh.withoutServer("workflow", "list", "--orchestrator", "orch:9");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err())
        .isEqualTo("meshctl: cannot reach the orchestrator at orch:9 (is it running? ./mesh up)\n");
  }

  private Path file(String name, String text) throws Exception {
    return Files.writeString(tmp.resolve(name), text);
  }
}
