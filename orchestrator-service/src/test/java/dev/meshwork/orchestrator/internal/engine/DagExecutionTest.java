package dev.meshwork.orchestrator.internal.engine;

import static dev.meshwork.orchestrator.testing.Harness.step;
import static dev.meshwork.orchestrator.testing.Harness.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.meshwork.api.common.v1.Part;
import dev.meshwork.api.orchestrator.v1.Run;
import dev.meshwork.api.orchestrator.v1.RunEventType;
import dev.meshwork.api.orchestrator.v1.RunState;
import dev.meshwork.api.orchestrator.v1.StepState;
import dev.meshwork.orchestrator.AgentResult;
import dev.meshwork.orchestrator.testing.FakeAgents;
import dev.meshwork.orchestrator.testing.Harness;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DagExecutionTest {

  private final Harness h = new Harness();

  @AfterEach
  void close() {
    h.close();
  }

  @Test
  void pipeline_stepsRunInOrder_outputFeedsNextStep() {
    Run run =
        h.start(
            """
            name: pipe
            steps:
              - {id: a, skill: s.a, input: "{{ input.text }}"}
              - {id: b, skill: s.b, depends_on: [a]}
              - {id: c, skill: s.c, depends_on: [b], input: "got {{ steps.b.output }}"}
            """,
            Map.of("text", "hi"));

    Run done = h.awaitState(run.getRunId(), RunState.RUN_STATE_COMPLETED);

    assertThat(h.agents.skillsCalled()).containsExactly("s.a", "s.b", "s.c");
    assertThat(text(step(done, "a"))).isEqualTo("s.a(hi)");
    assertThat(text(step(done, "b"))).isEqualTo("s.b(s.a(hi))");
    assertThat(text(step(done, "c"))).isEqualTo("s.c(got s.b(s.a(hi)))");
    assertThat(step(done, "c").getInputList()).containsExactly(FakeAgents.text("got s.b(s.a(hi))"));
    assertThat(h.events(run.getRunId()))
        .extracting(e -> e.getType())
        .startsWith(
            RunEventType.RUN_EVENT_TYPE_RUN_SUBMITTED, RunEventType.RUN_EVENT_TYPE_RUN_STARTED)
        .endsWith(RunEventType.RUN_EVENT_TYPE_RUN_COMPLETED);
    assertThat(h.agents.calls("s.b").get(0).call.idempotencyKey()).isEqualTo(run.getRunId() + "/b");
  }

  @Test
  void parallelBranches_runConcurrently_joinSeesBothOutputs() {
    List<CompletableFuture<AgentResult>> pending = new CopyOnWriteArrayList<>();
    h.agents.on(
        "slow",
        c -> {
          CompletableFuture<AgentResult> f = new CompletableFuture<>();
          pending.add(f);
          if (pending.size() == 2) {
            // Both branches are in flight at once: only now let them finish.
            pending.forEach(p -> p.complete(AgentResult.of(List.of(FakeAgents.text("done")))));
          }
          return f;
        });
    Run run =
        h.start(
            """
            name: fan
            steps:
              - {id: left, skill: slow}
              - {id: right, skill: slow}
              - {id: join, skill: s.join, depends_on: [left, right]}
            """);

    Run done = h.awaitState(run.getRunId(), RunState.RUN_STATE_COMPLETED);

    assertThat(h.agents.maxConcurrent()).isGreaterThanOrEqualTo(2);
    assertThat(step(done, "join").getInputList())
        .containsExactly(FakeAgents.text("done"), FakeAgents.text("done"));
  }

  @Test
  void forEach_fanOutWithConcurrencyLimit_fanInKeepsOrder() {
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    try {
      h.agents.on(
          "upper",
          c -> {
            String word = c.input().get(0).getText();
            CompletableFuture<AgentResult> f = new CompletableFuture<>();
            // Later items answer sooner, so completion order differs from item order.
            timer.schedule(
                () -> f.complete(AgentResult.of(List.of(FakeAgents.text(word.toUpperCase())))),
                60 - 10L * word.length(),
                TimeUnit.MILLISECONDS);
            return f;
          });
      Run run =
          h.start(
              """
              name: each
              steps:
                - id: up
                  skill: upper
                  for_each: input.words
                  max_concurrency: 2
                  input: "{{ item }}"
                - {id: after, skill: s.after, depends_on: [up], input: "{{ steps.up.output[4] }}"}
              """,
              Map.of("words", List.of("a", "bb", "ccc", "dddd", "eeeee")));

      Run done = h.awaitState(run.getRunId(), RunState.RUN_STATE_COMPLETED);

      assertThat(h.agents.maxConcurrent()).isEqualTo(2);
      assertThat(step(done, "up").getOutputList())
          .extracting(Part::getText)
          .containsExactly("A", "BB", "CCC", "DDDD", "EEEEE");
      assertThat(step(done, "up", 3).getState()).isEqualTo(StepState.STEP_STATE_COMPLETED);
      assertThat(text(step(done, "after"))).isEqualTo("s.after(EEEEE)");
      assertThat(h.agents.calls("upper"))
          .extracting(c -> c.call.idempotencyKey())
          .contains(run.getRunId() + "/up/0", run.getRunId() + "/up/4");
    } finally {
      timer.shutdownNow();
    }
  }

  @Test
  void forEach_emptyList_completesWithEmptyOutput() {
    Run run =
        h.start(
            """
            name: none
            steps:
              - {id: up, skill: upper, for_each: "{{ input.words }}"}
            """,
            Map.of("words", List.of()));

    Run done = h.awaitState(run.getRunId(), RunState.RUN_STATE_COMPLETED);

    assertThat(step(done, "up").getOutputList()).isEmpty();
    assertThat(h.agents.calls()).isEmpty();
  }

  @Test
  void forEach_notAList_failsStepWithReason() {
    Run run =
        h.start(
            "name: bad\nsteps: [{id: up, skill: u, for_each: input.word}]\n", Map.of("word", "x"));

    Run done = h.awaitState(run.getRunId(), RunState.RUN_STATE_FAILED);

    assertThat(step(done, "up").getError().getReason()).isEqualTo("FOR_EACH_NOT_A_LIST");
  }

  @Test
  void condition_false_skipsStepAndItsDependants() {
    h.agents.on(
        "score",
        c ->
            CompletableFuture.completedFuture(
                AgentResult.of(
                    List.of(
                        Part.newBuilder()
                            .setData(Harness.struct(Map.of("score", -0.4)))
                            .build()))));
    Run run =
        h.start(
            """
name: cond
steps:
  - {id: sentiment, skill: score}
  - {id: escalate, skill: s.esc, depends_on: [sentiment], condition: "steps.sentiment.output.score > 0"}
  - {id: notify, skill: s.notify, depends_on: [escalate]}
  - {id: thank, skill: s.thank, depends_on: [sentiment], condition: "steps.sentiment.output.score < 0"}
""");

    Run done = h.awaitState(run.getRunId(), RunState.RUN_STATE_COMPLETED);

    assertThat(step(done, "escalate").getState()).isEqualTo(StepState.STEP_STATE_SKIPPED);
    assertThat(step(done, "notify").getState()).isEqualTo(StepState.STEP_STATE_SKIPPED);
    assertThat(step(done, "thank").getState()).isEqualTo(StepState.STEP_STATE_COMPLETED);
    assertThat(h.agents.skillsCalled()).containsExactly("score", "s.thank");
  }

  @Test
  void stepWithoutInputOrDependencies_getsRunInputAsData() {
    Run run = h.start("name: in\nsteps: [{id: a, skill: s}]\n", Map.of("k", "v"));

    Run done = h.awaitState(run.getRunId(), RunState.RUN_STATE_COMPLETED);

    assertThat(step(done, "a").getInput(0).getData()).isEqualTo(Harness.struct(Map.of("k", "v")));
  }

  @Test
  void priority_higherPriorityRunsDispatchedFirst() {
    // One slot for everything: the queue decides the order.
    try (Harness one = new Harness(EngineConfig.builder().maxInFlight(1).build())) {
      List<String> order = Collections.synchronizedList(new ArrayList<>());
      CompletableFuture<AgentResult> gate = new CompletableFuture<>();
      one.agents.on("gate", c -> gate);
      one.agents.on(
          "work",
          c -> {
            order.add(c.input().get(0).getText());
            return FakeAgents.echo(c);
          });
      Run blocker = one.start("name: g\nsteps: [{id: a, skill: gate}]\n");
      org.awaitility.Awaitility.await().until(() -> one.agents.calls("gate").size() == 1);
      List<String> ids = new ArrayList<>();
      for (int p : new int[] {0, 50, -10, 50}) {
        ids.add(
            one.orchestrator
                .startRun(
                    dev.meshwork.api.orchestrator.v1.StartRunRequest.newBuilder()
                        .setWorkflow(
                            dev.meshwork.orchestrator.WorkflowYaml.parse(
                                "name: w\nsteps: [{id: a, skill: work, input: \"p"
                                    + p
                                    + "-"
                                    + ids.size()
                                    + "\"}]\n"))
                        .setPriority(p)
                        .build())
                .run()
                .getRunId());
        // A run's first step is queued on the engine's executor after StartRun answers: wait for
        // it, so that the queue sees the steps in the order the runs were started.
        int queued = ids.size() + 1;
        org.awaitility.Awaitility.await().until(() -> one.orchestrator.pendingWork() == queued);
      }
      // The gate's call runs; the four steps wait in the queue behind it.
      org.awaitility.Awaitility.await().until(() -> one.orchestrator.pendingWork() == 5);
      gate.complete(AgentResult.of(List.of()));
      ids.forEach(id -> one.awaitState(id, RunState.RUN_STATE_COMPLETED));
      one.awaitState(blocker.getRunId(), RunState.RUN_STATE_COMPLETED);

      assertThat(order).containsExactly("p50-1", "p50-3", "p0-0", "p-10-2");
    }
  }
}
