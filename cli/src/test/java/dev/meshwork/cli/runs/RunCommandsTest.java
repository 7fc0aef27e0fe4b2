package dev.meshwork.cli.runs;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.JsonFormat;
import dev.meshwork.api.orchestrator.v1.CancelRunRequest;
import dev.meshwork.api.orchestrator.v1.ListRunsRequest;
import dev.meshwork.api.orchestrator.v1.Run;
import dev.meshwork.api.orchestrator.v1.RunState;
import dev.meshwork.cli.MeshctlRun;
import dev.meshwork.cli.testing.FakeMesh;
import dev.meshwork.cli.testing.Protos;
import dev.meshwork.cli.testing.RunStory;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code run get}, {@code run list}, {@code run cancel} and {@code run retry}. */
class RunCommandsTest {

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
  void get_failedRun_printsStateStepsErrorAndTrace() {
    mesh.orchestrator().put(RunStory.failed());

    MeshctlRun run = mesh.meshctl("run", "get", "r-42");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out().lines())
        .containsSubsequence(
            "run: r-42",
            "workflow: review v3",
            "state: FAILED",
            "created: 2026-11-23 10:00:00Z",
            "ended: 2026-11-23 10:00:01Z (1.8 s)",
            "error: UNAVAILABLE: no healthy instance [CIRCUIT_OPEN]",
            "trace id: " + RunStory.TRACE_ID,
            "trace: http://127.0.0.1:16686/trace/" + RunStory.TRACE_ID,
            "",
            "STEP       STATE      ATTEMPT  AGENT                DURATION  ERROR",
            "fetch      COMPLETED  1        text@127.0.0.1:7101  412 ms    -",
            "summarize  FAILED     3        text@127.0.0.1:7101  1.2 s     UNAVAILABLE: no healthy"
                + " instance [CIRCUIT_OPEN]",
            "report     SKIPPED    0        -                    -         -");
  }

  @Test
  void get_completedRun_printsResult() {
    mesh.orchestrator().put(RunStory.completed());

    MeshctlRun run = mesh.meshctl("run", "get", "r-42");

    assertThat(run.out())
        .endsWith("output (report):\n  Meshwork is a gRPC mesh.\n" + "  It runs workflows.\n");
  }

  @Test
  void get_json_isTheRun() throws Exception {
    mesh.orchestrator().put(RunStory.completed());

    MeshctlRun run = mesh.meshctl("run", "get", "r-42", "-o", "json");

    Run.Builder parsed = Run.newBuilder();
    JsonFormat.parser().merge(run.out(), parsed);
    assertThat(parsed.build()).isEqualTo(RunStory.completed());
  }

  @Test
  void get_unknownRun_notFoundOneLinerExit1() {
    MeshctlRun run = mesh.meshctl("run", "get", "r-nope");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).isEqualTo("meshctl: NOT_FOUND: run 'r-nope' not found [RUN_NOT_FOUND]\n");
    assertThat(run.out()).isEmpty();
  }

  @Test
  void list_filtersAndLimit_pagesUntilLimit() {
    mesh.orchestrator().maxPageSize(2);
    for (int i = 1; i <= 5; i++) {
      mesh.orchestrator().put(RunStory.completed().toBuilder().setRunId("r-" + i).build());
    }

    MeshctlRun run =
        mesh.meshctl(
            "run",
            "list",
            "--state",
            "completed",
            "--state",
            "FAILED",
            "--workflow",
            "review",
            "--limit",
            "3");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out().lines())
        .containsExactly(
            "RUN  WORKFLOW  STATE      STEPS  CREATED               DURATION",
            "r-5  review    COMPLETED  3/3    2026-11-23 10:00:00Z  2.1 s",
            "r-4  review    COMPLETED  3/3    2026-11-23 10:00:00Z  2.1 s",
            "r-3  review    COMPLETED  3/3    2026-11-23 10:00:00Z  2.1 s");
    List<ListRunsRequest> requests = mesh.orchestrator().requests(ListRunsRequest.class);
    assertThat(requests.get(0).getStatesList())
        .containsExactly(RunState.RUN_STATE_COMPLETED, RunState.RUN_STATE_FAILED);
    assertThat(requests.get(0).getWorkflowName()).isEqualTo("review");
    assertThat(requests).extracting(ListRunsRequest::getPageSize).containsExactly(3, 1);
  }

  @Test
  void list_badState_exits2WithChoices() {
    MeshctlRun run = mesh.meshctl("run", "list", "--state", "done");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err())
        .isEqualTo(
            "meshctl: --state: 'done' (expected one of: SUBMITTED, WORKING, INPUT_REQUIRED,"
                + " COMPLETED, FAILED, CANCELED, REJECTED)\n");
  }

  @Test
  void cancel_run_sendsReasonAndPrintsState() {
    mesh.orchestrator().put(RunStory.submitted());

    MeshctlRun run = mesh.meshctl("run", "cancel", "r-42", "--reason", "wrong input");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).isEqualTo("run r-42 CANCELED\n");
    assertThat(mesh.orchestrator().requests(CancelRunRequest.class).get(0).getReason())
        .isEqualTo("wrong input");
  }

  @Test
  void retry_failedRun_printsHowToFollow() {
    mesh.orchestrator().put(RunStory.failed());

    MeshctlRun run = mesh.meshctl("run", "retry", "r-42");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out())
        .isEqualTo(
            "run r-42 retried (now WORKING; follow it with: meshctl run watch r-42"
                + " --after 8)\n");
  }

  @Test
  void retry_completedRun_failedPreconditionWithReason() {
    mesh.orchestrator().put(RunStory.completed());

    MeshctlRun run = mesh.meshctl("run", "retry", "r-42");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err())
        .isEqualTo(
            "meshctl: FAILED_PRECONDITION: run 'r-42' is RUN_STATE_COMPLETED, not FAILED"
                + " [RUN_NOT_FAILED]\n");
  }

  @Test
  void get_timestampsOfProtos_useUtc() {
    assertThat(Protos.T0.toString()).isEqualTo("2026-11-23T10:00:00Z");
  }
}
