package dev.meshwork.cli.runs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshwork.api.orchestrator.v1.StartRunRequest;
import dev.meshwork.api.orchestrator.v1.WatchRunRequest;
import dev.meshwork.cli.MeshctlRun;
import dev.meshwork.cli.testing.FakeMesh;
import dev.meshwork.cli.testing.RunStory;
import dev.meshwork.cli.testing.StreamScript;
import dev.meshwork.core.MeshException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunStartCommandTest {

  @TempDir Path tmp;

  private FakeMesh mesh;

  @BeforeEach
  void start() throws Exception {
    mesh = FakeMesh.start();
    mesh.orchestrator().startsRun(RunStory.submitted(), false);
  }

  @AfterEach
  void stop() throws Exception {
    mesh.close();
  }

  @Test
  void start_storedWorkflow_printsRunIdAndSendsEveryOption() {
    MeshctlRun run =
        mesh.meshctl(
            "run",
            "start",
            "--workflow",
            "review",
            "--input",
            "{\"url\": \"https://x.dev\"}",
            "--idempotency-key",
            "k-1",
            "--run-timeout",
            "90s",
            "--priority",
            "5",
            "--label",
            "team=docs",
            "--label",
            "env=dev");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).isEqualTo("r-42\n");
    StartRunRequest request = mesh.orchestrator().requests(StartRunRequest.class).get(0);
    assertThat(request.getWorkflowName()).isEqualTo("review");
    assertThat(request.getInput().getFieldsOrThrow("url").getStringValue())
        .isEqualTo("https://x.dev");
    assertThat(request.getIdempotencyKey()).isEqualTo("k-1");
    assertThat(request.getTimeout().getSeconds()).isEqualTo(90);
    assertThat(request.getPriority()).isEqualTo(5);
    assertThat(request.getLabelsMap()).isEqualTo(Map.of("team", "docs", "env", "dev"));
  }

  @Test
  void start_file_sendsInlineWorkflowAndYamlInputFile() throws Exception {
    Path workflow =
        Files.writeString(
            tmp.resolve("wf.yaml"), "name: review\nsteps:\n  - id: fetch\n    skill: web.fetch\n");
    Path input = Files.writeString(tmp.resolve("in.yaml"), "url: https://x.dev\npages: [1, 2]\n");

    MeshctlRun run =
        mesh.meshctl("run", "start", "-f", workflow.toString(), "--input-file", input.toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    StartRunRequest request = mesh.orchestrator().requests(StartRunRequest.class).get(0);
    assertThat(request.getWorkflow().getSteps(0).getSkill()).isEqualTo("web.fetch");
    assertThat(request.getInput().getFieldsOrThrow("pages").getListValue().getValuesCount())
        .isEqualTo(2);
  }

  @Test
  void start_watch_printsProgressResultAndTraceThenExits0() {
    mesh.runStatus().thenWatch(StreamScript.completing(RunStory.completing()));
    mesh.orchestrator().thenGetRun(RunStory.completed());
    mesh.env("MESHWORK_JAEGER_URL", "http://jaeger.local:16686/");

    MeshctlRun run = mesh.meshctl("run", "start", "--workflow", "review", "--watch");

    assertThat(run.exitCode()).as(run.err()).isZero();
    List<String> lines = run.out().lines().toList();
    assertThat(lines.get(0)).isEqualTo("run r-42: workflow review v3, 3 steps");
    assertThat(lines)
        .contains(
            "[1/3] fetch COMPLETED (412 ms, agent text@127.0.0.1:7101)",
            "[3/3] report COMPLETED (100 ms, agent text@127.0.0.1:7101)",
            "run r-42 COMPLETED in 2.1 s");
    assertThat(run.out())
        .endsWith(
            "output (report):\n"
                + "  Meshwork is a gRPC mesh.\n"
                + "  It runs workflows.\n"
                + "trace id: "
                + RunStory.TRACE_ID
                + "\n"
                + "trace: http://jaeger.local:16686/trace/"
                + RunStory.TRACE_ID
                + "\n");
    assertThat(mesh.runStatus().requests())
        .extracting(WatchRunRequest::getAfterSequence)
        .containsExactly(0L);
  }

  @Test
  void start_watchFailingRun_exits1() {
    mesh.runStatus().thenWatch(StreamScript.completing(RunStory.failing()));
    mesh.orchestrator().thenGetRun(RunStory.failed());

    MeshctlRun run = mesh.meshctl("run", "start", "--workflow", "review", "--watch");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.out())
        .contains("run r-42 FAILED in 1.8 s: UNAVAILABLE: no healthy instance [CIRCUIT_OPEN]")
        .doesNotContain("output (");
    assertThat(run.err()).isEmpty();
  }

  @Test
  void start_wait_printsIdThenSummaryOnly() {
    mesh.runStatus().thenWatch(StreamScript.completing(RunStory.completing()));
    mesh.orchestrator().thenGetRun(RunStory.completed());

    MeshctlRun run = mesh.meshctl("run", "start", "--workflow", "review", "--wait");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out())
        .startsWith("r-42\nrun r-42 COMPLETED in 2.1 s\noutput (report):\n")
        .doesNotContain("[1/3]");
  }

  @Test
  void start_existingIdempotencyKey_notesItOnStderr() {
    mesh.orchestrator().startsRun(RunStory.completed(), true);

    MeshctlRun run =
        mesh.meshctl("run", "start", "--workflow", "review", "--idempotency-key", "k-1");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).isEqualTo("r-42\n");
    assertThat(run.err())
        .isEqualTo("run r-42 already exists for idempotency key 'k-1' (COMPLETED)\n");
  }

  @Test
  void start_inputNotAnObject_exits2BeforeCalling() {
    MeshctlRun run = mesh.meshctl("run", "start", "--workflow", "review", "--input", "[1, 2]");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).startsWith("meshctl: --input: the run input must be a JSON object");
    assertThat(mesh.orchestrator().requests(StartRunRequest.class)).isEmpty();
  }

  @Test
  void start_badWorkflowFile_exits2WithField() throws Exception {
    Path workflow =
        Files.writeString(
            tmp.resolve("wf.yaml"),
            "name: review\nsteps:\n  - id: a\n    " + "retry: {max_attempts: many}\n");

    MeshctlRun run = mesh.meshctl("run", "start", "--file", workflow.toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).startsWith("meshctl: " + workflow + ":4: steps[0].retry.max_attempts: ");
  }

  @Test
  void start_workflowAndFile_exits2() {
    MeshctlRun run = mesh.meshctl("run", "start", "--workflow", "a", "--file", "b.yaml");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err())
        .startsWith("meshctl: Error: --workflow=NAME, --file=FILE are mutually exclusive");
  }

  @Test
  void start_noWorkflow_exits2() {
    MeshctlRun run = mesh.meshctl("run", "start");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).startsWith("meshctl: Error: Missing required argument");
  }

  @Test
  void start_rejected_printsViolations() {
    mesh.orchestrator()
        .fail("startRun", MeshException.invalidArgument("input.url", "required by step fetch"));

    MeshctlRun run = mesh.meshctl("run", "start", "--workflow", "review");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err())
        .isEqualTo(
            "meshctl: INVALID_ARGUMENT: the orchestrator rejected the request (1 field"
                + " violation)\n  input.url: required by step fetch\n");
  }

  @Test
  void start_saturated_printsRetryHint() {
    mesh.orchestrator()
        .fail(
            "startRun",
            MeshException.resourceExhausted(
                "SATURATED", "orchestrator is saturated", Duration.ofSeconds(2)));

    MeshctlRun run = mesh.meshctl("run", "start", "--workflow", "review");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err())
        .isEqualTo(
            "meshctl: RESOURCE_EXHAUSTED: orchestrator is saturated [SATURATED] (retry in 2s)\n");
  }
}
