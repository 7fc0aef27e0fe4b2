package dev.meshwork.cli.runs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshwork.api.orchestrator.v1.RunEvent;
import dev.meshwork.api.orchestrator.v1.RunEventType;
import dev.meshwork.api.orchestrator.v1.RunState;
import dev.meshwork.api.orchestrator.v1.Step;
import dev.meshwork.api.orchestrator.v1.StepState;
import dev.meshwork.cli.testing.Protos;
import dev.meshwork.cli.testing.RunStory;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RunProgressTest {

  @Test
  void line_completingRun_countsStepsWithDurationsAndAgents() {
    RunProgress progress = new RunProgress(RunStory.submitted());

    List<String> lines = lines(progress, RunStory.completing());

    assertThat(progress.header()).isEqualTo("run r-42: workflow review v3, 3 steps");
    assertThat(lines)
        .containsExactly(
            "run r-42 WORKING",
            "[0/3] fetch WORKING (attempt 1, agent text@127.0.0.1:7101)",
            "[1/3] fetch COMPLETED (412 ms, agent text@127.0.0.1:7101)",
            "[1/3] summarize WORKING (attempt 1, agent text@127.0.0.1:7101)",
            "[1/3] summarize retrying: attempt 1 failed: UNAVAILABLE: agent gone",
            "[2/3] summarize COMPLETED (1.3 s, agent text@127.0.0.1:7101)",
            "[2/3] report WORKING (attempt 1, agent text@127.0.0.1:7101)",
            "[3/3] report COMPLETED (100 ms, agent text@127.0.0.1:7101)",
            "run r-42 COMPLETED in 2.1 s");
  }

  @Test
  void line_failingRun_showsAttemptsReasonAndSkip() {
    List<String> lines = lines(new RunProgress(RunStory.submitted()), RunStory.failing());

    assertThat(lines)
        .contains(
            "[2/3] summarize FAILED after 3 attempts (1.2 s): UNAVAILABLE: no healthy instance"
                + " [CIRCUIT_OPEN]",
            "[3/3] report SKIPPED",
            "run r-42 FAILED in 1.8 s: UNAVAILABLE: no healthy instance [CIRCUIT_OPEN]");
  }

  @Test
  void line_forEachElements_labelledByIndexAndNotCounted() {
    var workflow =
        RunStory.REVIEW.toBuilder()
            .setSteps(
                1,
                Step.newBuilder()
                    .setId("summarize")
                    .setSkill("text.summarize")
                    .setForEach("steps.fetch.output.pages"))
            .build();
    RunProgress progress =
        new RunProgress(RunStory.submitted().toBuilder().setWorkflow(workflow).build());
    RunEvent element =
        Protos.step(
                "r-42",
                5,
                RunEventType.RUN_EVENT_TYPE_STEP_COMPLETED,
                "summarize",
                StepState.STEP_STATE_COMPLETED,
                600)
            .toBuilder()
            .setItemIndex(2)
            .build();

    assertThat(progress.line(element))
        .hasValueSatisfying(line -> assertThat(line).startsWith("[0/3] summarize[2] COMPLETED"));
  }

  @Test
  void line_submitted_printsNothing() {
    RunEvent submitted =
        Protos.event(
                "r-42",
                1,
                RunEventType.RUN_EVENT_TYPE_RUN_SUBMITTED,
                RunState.RUN_STATE_SUBMITTED,
                0)
            .build();

    assertThat(new RunProgress(RunStory.submitted()).line(submitted)).isEqualTo(Optional.empty());
  }

  private static List<String> lines(RunProgress progress, List<RunEvent> events) {
    return events.stream().map(progress::line).flatMap(Optional::stream).toList();
  }
}
