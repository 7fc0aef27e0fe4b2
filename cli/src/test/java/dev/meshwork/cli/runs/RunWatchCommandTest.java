package dev.meshwork.cli.runs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshwork.api.orchestrator.v1.RunEvent;
import dev.meshwork.api.orchestrator.v1.RunState;
import dev.meshwork.api.orchestrator.v1.WatchRunRequest;
import dev.meshwork.cli.MeshctlRun;
import dev.meshwork.cli.testing.FakeMesh;
import dev.meshwork.cli.testing.RunStory;
import dev.meshwork.cli.testing.StreamScript;
import io.grpc.Status;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RunWatchCommandTest {

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
  void watch_droppedStream_resumesAfterLastSequenceWithoutDuplicates() {
    List<RunEvent> events = RunStory.completing();
    mesh.orchestrator()
        .put(
            RunStory.submitted().toBuilder()
                .setState(RunState.RUN_STATE_WORKING)
                .setLastSequence(3)
                .build())
        .thenGetRun(
            RunStory.submitted().toBuilder()
                .setState(RunState.RUN_STATE_WORKING)
                .setLastSequence(3)
                .build(),
            RunStory.completed());
    // The second stream replays from 2 (as a sloppy server might): meshctl must skip 2..4.
    mesh.runStatus()
        .thenWatch(
            StreamScript.failing(
                events.subList(0, 4), Status.UNAVAILABLE.withDescription("orchestrator restart")))
        .thenWatch(StreamScript.completing(events.subList(1, events.size())));

    MeshctlRun run = mesh.meshctl("run", "watch", "r-42");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(mesh.runStatus().requests())
        .extracting(WatchRunRequest::getAfterSequence)
        .containsExactly(0L, 4L);
    List<String> lines = run.out().lines().toList();
    assertThat(lines).doesNotHaveDuplicates();
    assertThat(lines)
        .containsSubsequence(
            "run r-42: workflow review v3, 3 steps",
            "run r-42 WORKING",
            "[0/3] fetch WORKING (attempt 1, agent text@127.0.0.1:7101)",
            "[1/3] fetch COMPLETED (412 ms, agent text@127.0.0.1:7101)",
            "[1/3] summarize WORKING (attempt 1, agent text@127.0.0.1:7101)",
            "[3/3] report COMPLETED (100 ms, agent text@127.0.0.1:7101)",
            "run r-42 COMPLETED in 2.1 s",
            "output (report):");
    assertThat(run.err())
        .contains(
            "-- watch interrupted (UNAVAILABLE: orchestrator restart); resuming after event 4",
            "-- watch resumed after event 4");
  }

  @Test
  void watch_after_startsThere() {
    mesh.orchestrator().put(RunStory.completed());
    List<RunEvent> events = RunStory.completing();
    mesh.runStatus().thenWatch(StreamScript.completing(events.subList(8, events.size())));

    MeshctlRun run = mesh.meshctl("run", "watch", "r-42", "--after", "8");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(mesh.runStatus().requests().get(0).getAfterSequence()).isEqualTo(8);
    assertThat(run.out())
        .contains("[3/3] report COMPLETED (100 ms, agent text@127.0.0.1:7101)")
        .doesNotContain("fetch COMPLETED");
  }

  @Test
  void watch_alreadyFailedRun_replaysAndExits1() {
    mesh.orchestrator().put(RunStory.failed());
    mesh.runStatus().thenWatch(StreamScript.completing(RunStory.failing()));

    MeshctlRun run = mesh.meshctl("run", "watch", "r-42");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.out()).contains("run r-42 FAILED in 1.8 s");
  }

  @Test
  void watch_unknownRun_notFoundOneLinerExit1() {
    MeshctlRun run = mesh.meshctl("run", "watch", "missing-1");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err())
        .isEqualTo("meshctl: NOT_FOUND: run 'missing-1' not found [RUN_NOT_FOUND]\n");
  }
}
