package dev.meshwork.orchestrator.internal.engine;

import static dev.meshwork.orchestrator.testing.Harness.step;
import static dev.meshwork.orchestrator.testing.Harness.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meshwork.api.orchestrator.v1.Run;
import dev.meshwork.api.orchestrator.v1.RunEvent;
import dev.meshwork.api.orchestrator.v1.RunEventType;
import dev.meshwork.api.orchestrator.v1.RunState;
import dev.meshwork.api.orchestrator.v1.StartRunRequest;
import dev.meshwork.api.orchestrator.v1.StepState;
import dev.meshwork.orchestrator.AgentResult;
import dev.meshwork.orchestrator.WorkflowYaml;
import dev.meshwork.orchestrator.internal.RunRequests;
import dev.meshwork.orchestrator.internal.store.H2RunStore;
import dev.meshwork.orchestrator.testing.FakeAgents;
import dev.meshwork.orchestrator.testing.Harness;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stops an orchestrator with runs in flight (nothing more is written, as after a kill), reopens the
 * H2 file with a new orchestrator and checks every run is finished without repeating completed
 * steps.
 */
class RecoveryTest {

  @TempDir Path dataDir;

  private Harness open() {
    return new Harness(EngineConfig.builder().build(), H2RunStore.openFile(dataDir), 1024);
  }

  private static List<FakeAgents.Call> callsOf(Harness h, String skill, String runId) {
    return h.agents.calls(skill).stream()
        .filter(c -> c.call.idempotencyKey().startsWith(runId + "/"))
        .toList();
  }

  @Test
  void restart_nonTerminalRunsResume_completedStepsNotRerun_noSequenceGaps() {
    String pipeline =
        """
        name: pipe
        steps:
          - {id: a, skill: s.a}
          - {id: b, skill: s.b, depends_on: [a]}
          - {id: c, skill: s.c, depends_on: [b]}
        """;
    String fanOut =
        """
        name: fan
        steps:
          - {id: each, skill: s.each, for_each: input.xs, max_concurrency: 3}
        """;
    String saga =
        """
        name: saga
        steps:
          - {id: book, skill: s.book, compensate: {skill: s.unbook}}
          - {id: pay, skill: s.pay, depends_on: [book], retry: {max_attempts: 1}}
        """;
    String pipeId;
    String fanId;
    String sagaId;
    String queuedId;
    try (Harness first = open()) {
      first.agents.hang("s.b");
      first.agents.on(
          "s.each",
          c ->
              c.input().get(0).getText().equals("3")
                  ? new CompletableFuture<AgentResult>()
                  : FakeAgents.echo(c));
      first.agents.fail("s.pay", "INTERNAL");
      first.agents.hang("s.unbook");
      pipeId = first.start(pipeline).getRunId();
      fanId = first.start(fanOut, Map.of("xs", List.of("1", "2", "3"))).getRunId();
      sagaId = first.start(saga).getRunId();
      await()
          .until(
              () ->
                  first.agents.calls("s.b").size() == 1
                      && first.agents.calls("s.each").size() == 3
                      && first.agents.calls("s.unbook").size() == 1);
      await()
          .until(
              () ->
                  first.store.get(fanId).orElseThrow().getStepsList().stream()
                          .filter(s -> s.getState() == StepState.STEP_STATE_COMPLETED)
                          .count()
                      == 2);
      // A run stored by StartRun just before the stop, never started: only RUN_SUBMITTED exists.
      Run submitted =
          RunRequests.newRun(
              StartRunRequest.newBuilder().setWorkflow(WorkflowYaml.parse(pipeline)).build(),
              WorkflowYaml.parse(pipeline),
              Instant.now(),
              Duration.ofMinutes(1));
      queuedId = submitted.getRunId();
      first.store.create(
          submitted.toBuilder().setLastSequence(1).build(),
          List.of(
              RunEvent.newBuilder()
                  .setRunId(queuedId)
                  .setSequence(1)
                  .setType(RunEventType.RUN_EVENT_TYPE_RUN_SUBMITTED)
                  .setRunState(RunState.RUN_STATE_SUBMITTED)
                  .build()));
    }

    try (Harness second = open()) {
      Run pipe = second.awaitState(pipeId, RunState.RUN_STATE_COMPLETED);
      Run fan = second.awaitState(fanId, RunState.RUN_STATE_COMPLETED);
      Run sagaRun = second.awaitState(sagaId, RunState.RUN_STATE_FAILED);
      second.awaitState(queuedId, RunState.RUN_STATE_COMPLETED);

      assertThat(callsOf(second, "s.a", pipeId)).as("a completed before the stop").isEmpty();
      assertThat(callsOf(second, "s.b", pipeId))
          .singleElement()
          .satisfies(
              c -> {
                assertThat(c.call.idempotencyKey()).isEqualTo(pipeId + "/b");
                assertThat(c.call.attempt()).isEqualTo(2);
              });
      assertThat(text(step(pipe, "c"))).isEqualTo("s.c(s.b(s.a({})))");

      assertThat(callsOf(second, "s.a", queuedId)).hasSize(1);
      assertThat(second.agents.calls("s.each"))
          .as("only the element in flight runs again")
          .singleElement()
          .satisfies(c -> assertThat(c.call.idempotencyKey()).isEqualTo(fanId + "/each/2"));
      assertThat(step(fan, "each").getOutputCount()).isEqualTo(3);

      assertThat(second.agents.calls("s.pay")).isEmpty();
      assertThat(second.agents.calls("s.unbook")).hasSize(1);
      assertThat(step(sagaRun, "book").getState()).isEqualTo(StepState.STEP_STATE_COMPENSATED);
      assertThat(second.stepEvents(sagaId, "book"))
          .containsOnlyOnce(RunEventType.RUN_EVENT_TYPE_STEP_COMPENSATED);

      for (String id : List.of(pipeId, fanId, sagaId, queuedId)) {
        second.events(id); // asserts sequences 1..N without gaps or duplicates
      }
    }
  }
}
