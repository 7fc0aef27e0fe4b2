package dev.meshwork.orchestrator.internal.engine;

import static dev.meshwork.orchestrator.testing.Harness.step;
import static dev.meshwork.orchestrator.testing.Harness.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.meshwork.api.orchestrator.v1.Run;
import dev.meshwork.api.orchestrator.v1.RunEvent;
import dev.meshwork.api.orchestrator.v1.RunEventType;
import dev.meshwork.api.orchestrator.v1.RunState;
import dev.meshwork.api.orchestrator.v1.StartRunRequest;
import dev.meshwork.api.orchestrator.v1.StepState;
import dev.meshwork.core.ErrorCode;
import dev.meshwork.core.FieldViolation;
import dev.meshwork.core.MeshException;
import dev.meshwork.orchestrator.AgentCallException;
import dev.meshwork.orchestrator.AgentResult;
import dev.meshwork.orchestrator.EventStream;
import dev.meshwork.orchestrator.Orchestrator;
import dev.meshwork.orchestrator.RunFilter;
import dev.meshwork.orchestrator.RunStore;
import dev.meshwork.orchestrator.WorkflowYaml;
import dev.meshwork.orchestrator.internal.store.H2RunStore;
import dev.meshwork.orchestrator.testing.FakeAgents;
import dev.meshwork.orchestrator.testing.Harness;
import dev.meshwork.orchestrator.testing.RunStores;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RunLifecycleTest {

  private static final String SAGA =
      """
      name: trip
      steps:
        - {id: flight, skill: book.flight, compensate: {skill: cancel.flight}}
        - {id: hotel, skill: book.hotel, depends_on: [flight],
           compensate: {skill: cancel.hotel, input: "undo {{ steps.hotel.output }}"}}
        - {id: note, skill: s.note, depends_on: [hotel]}
        - {id: car, skill: book.car, depends_on: [note], retry: {max_attempts: 1}}
      """;

  private final Harness h = new Harness();

  @AfterEach
  void close() {
    h.close();
  }

  @Test
  void saga_runFails_completedStepsCompensatedInReverseCompletionOrder() {
    h.agents.fail("book.car", "FAILED_PRECONDITION");
    Run run = h.start(SAGA);

    Run done = h.awaitState(run.getRunId(), RunState.RUN_STATE_FAILED);

    assertThat(h.agents.skillsCalled())
        .containsExactly(
            "book.flight", "book.hotel", "s.note", "book.car", "cancel.hotel", "cancel.flight");
    assertThat(h.agents.calls("cancel.hotel").get(0).call.input())
        .containsExactly(
            FakeAgents.text(
                "undo book.hotel("
                    + h.agents.calls("book.hotel").get(0).call.input().get(0).getText()
                    + ")"));
    assertThat(h.agents.calls("cancel.flight").get(0).call.idempotencyKey())
        .isEqualTo(run.getRunId() + "/flight/compensate");
    assertThat(step(done, "flight").getState()).isEqualTo(StepState.STEP_STATE_COMPENSATED);
    assertThat(step(done, "hotel").getState()).isEqualTo(StepState.STEP_STATE_COMPENSATED);
    assertThat(step(done, "note").getState()).isEqualTo(StepState.STEP_STATE_COMPLETED);
    List<RunEvent> events = h.events(run.getRunId());
    assertThat(
            events.stream()
                .filter(e -> e.getType() == RunEventType.RUN_EVENT_TYPE_STEP_COMPENSATED))
        .extracting(RunEvent::getStepId)
        .containsExactly("hotel", "flight");
    assertThat(events.get(events.size() - 1).getType())
        .isEqualTo(RunEventType.RUN_EVENT_TYPE_RUN_FAILED);
    assertThat(done.getError().getCode()).isEqualTo("FAILED_PRECONDITION");
  }

  @Test
  void saga_compensationFails_recordedAndOthersStillRun() {
    h.agents.fail("book.car", "INTERNAL");
    h.agents.fail("cancel.hotel", "INVALID_ARGUMENT");
    Run run = h.start(SAGA);

    Run done = h.awaitState(run.getRunId(), RunState.RUN_STATE_FAILED);

    assertThat(step(done, "hotel").getState()).isEqualTo(StepState.STEP_STATE_COMPLETED);
    assertThat(step(done, "hotel").getError().getCode()).isEqualTo("INVALID_ARGUMENT");
    assertThat(step(done, "flight").getState()).isEqualTo(StepState.STEP_STATE_COMPENSATED);
  }

  @Test
  void saga_fanOutElementFails_completedElementsCompensatedLatestFirst() {
    h.agents.on(
        "s.charge",
        c ->
            c.input().get(0).getText().equals("c")
                ? CompletableFuture.failedFuture(new AgentCallException("INTERNAL", "", "declined"))
                : FakeAgents.echo(c));
    Run run =
        h.start(
            """
            name: pay
            steps:
              - {id: charge, skill: s.charge, for_each: input.cards, max_concurrency: 1,
                 retry: {max_attempts: 1},
                 compensate: {skill: s.refund, input: "refund {{ item }}"}}
            """,
            Map.of("cards", List.of("a", "b", "c", "d")));

    Run done = h.awaitState(run.getRunId(), RunState.RUN_STATE_FAILED);

    assertThat(h.agents.calls("s.refund"))
        .extracting(c -> c.call.input().get(0).getText())
        .containsExactly("refund b", "refund a");
    assertThat(h.agents.calls("s.refund"))
        .extracting(c -> c.call.idempotencyKey())
        .containsExactly(
            run.getRunId() + "/charge/1/compensate", run.getRunId() + "/charge/0/compensate");
    assertThat(step(done, "charge", 0).getState()).isEqualTo(StepState.STEP_STATE_COMPENSATED);
    assertThat(step(done, "charge", 1).getState()).isEqualTo(StepState.STEP_STATE_COMPENSATED);
    assertThat(step(done, "charge", 2).getState()).isEqualTo(StepState.STEP_STATE_FAILED);
    assertThat(step(done, "charge").getState()).isEqualTo(StepState.STEP_STATE_FAILED);
    assertThat(h.agents.calls("s.charge")).hasSize(3); // "d" never started
    assertThat(
            h.events(run.getRunId()).stream()
                .filter(e -> e.getType() == RunEventType.RUN_EVENT_TYPE_STEP_COMPENSATED))
        .extracting(RunEvent::getItemIndex)
        .containsExactly(1, 0);
  }

  @Test
  void saga_laterStepFails_completedFanOutCompensatedPerElement() {
    h.agents.fail("s.ship", "FAILED_PRECONDITION");
    Run run =
        h.start(
            """
            name: order
            steps:
              - {id: reserve, skill: s.reserve, for_each: input.items, max_concurrency: 1,
                 compensate: {skill: s.release, input: "release {{ item }}"}}
              - {id: ship, skill: s.ship, depends_on: [reserve], retry: {max_attempts: 1}}
            """,
            Map.of("items", List.of("x", "y")));

    Run done = h.awaitState(run.getRunId(), RunState.RUN_STATE_FAILED);

    assertThat(h.agents.calls("s.release"))
        .extracting(c -> c.call.input().get(0).getText())
        .containsExactly("release y", "release x");
    assertThat(step(done, "reserve", 0).getState()).isEqualTo(StepState.STEP_STATE_COMPENSATED);
    assertThat(step(done, "reserve", 1).getState()).isEqualTo(StepState.STEP_STATE_COMPENSATED);
    assertThat(step(done, "reserve").getState()).isEqualTo(StepState.STEP_STATE_COMPENSATED);
  }

  @Test
  void cancel_inFlightCallCancelled_completedStepsCompensated() {
    h.agents.hang("book.car");
    Run run = h.start(SAGA);
    await().until(() -> h.agents.calls("book.car").size() == 1);

    Run answer = h.orchestrator.cancelRun(run.getRunId(), "user changed plans");

    assertThat(answer.getState()).isEqualTo(RunState.RUN_STATE_WORKING);
    Run done = h.awaitState(run.getRunId(), RunState.RUN_STATE_CANCELED);
    assertThat(h.agents.calls("book.car").get(0).cancelled()).isTrue();
    assertThat(h.agents.skillsCalled()).endsWith("cancel.hotel", "cancel.flight");
    assertThat(step(done, "car").getState()).isEqualTo(StepState.STEP_STATE_CANCELED);
    assertThat(done.getError().getReason()).isEqualTo("CANCELED");
    assertThat(done.getError().getMessage()).isEqualTo("user changed plans");
    assertThat(h.events(run.getRunId()).get(h.events(run.getRunId()).size() - 1).getType())
        .isEqualTo(RunEventType.RUN_EVENT_TYPE_RUN_CANCELED);
  }

  @Test
  void cancel_finishedRun_returnedUnchanged() {
    Run run = h.start("name: a\nsteps: [{id: a, skill: s}]\n");
    Run done = h.awaitState(run.getRunId(), RunState.RUN_STATE_COMPLETED);

    assertThat(h.orchestrator.cancelRun(run.getRunId(), "")).isEqualTo(done);
  }

  @Test
  void cancel_unknownRun_notFound() {
    assertThatThrownBy(() -> h.orchestrator.cancelRun("nope", ""))
        .isInstanceOfSatisfying(
            MeshException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
  }

  @Test
  void retryRun_failedRun_reDrivesOnlyFailedSteps() {
    AtomicInteger lookups = new AtomicInteger();
    h.agents.on(
        "lookup",
        c ->
            lookups.incrementAndGet() == 1
                ? CompletableFuture.failedFuture(new AgentCallException("NOT_FOUND", "", "not yet"))
                : FakeAgents.echo(c));
    Run run =
        h.start(
            """
            name: re
            steps:
              - {id: fetch, skill: fetch}
              - {id: lookup, skill: lookup, depends_on: [fetch]}
              - {id: after, skill: s.after, depends_on: [lookup]}
              - {id: side, skill: s.side}
            """);
    Run failed = h.awaitState(run.getRunId(), RunState.RUN_STATE_FAILED);
    assertThat(step(failed, "lookup").getError().getCode()).isEqualTo("NOT_FOUND");
    assertThat(step(failed, "lookup").getInputList()).isNotEmpty();

    Run retried = h.orchestrator.retryRun(run.getRunId());

    assertThat(retried.getState()).isEqualTo(RunState.RUN_STATE_WORKING);
    Run done = h.awaitState(run.getRunId(), RunState.RUN_STATE_COMPLETED);
    assertThat(h.agents.calls("fetch")).hasSize(1);
    assertThat(h.agents.calls("lookup")).hasSize(2);
    assertThat(h.agents.calls("s.after")).hasSize(1);
    assertThat(text(step(done, "after"))).isEqualTo("s.after(lookup(fetch({})))");
    assertThat(h.events(run.getRunId()))
        .extracting(RunEvent::getType)
        .containsSubsequence(
            RunEventType.RUN_EVENT_TYPE_RUN_FAILED,
            RunEventType.RUN_EVENT_TYPE_RUN_RETRIED,
            RunEventType.RUN_EVENT_TYPE_RUN_COMPLETED);
  }

  @Test
  void retryRun_rightAfterFailedEventSeen_accepted() {
    AtomicInteger calls = new AtomicInteger();
    h.agents.on(
        "once",
        c ->
            calls.incrementAndGet() == 1
                ? CompletableFuture.failedFuture(new AgentCallException("INTERNAL", "", "first"))
                : FakeAgents.echo(c));
    Run run = h.start("name: r\nsteps: [{id: a, skill: once, retry: {max_attempts: 1}}]\n");
    CompletableFuture<Run> retried = new CompletableFuture<>();
    h.orchestrator.watchRun(
        run.getRunId(),
        0,
        new EventStream() {
          @Override
          public boolean isReady() {
            return true;
          }

          @Override
          public void send(RunEvent event) {
            if (event.getType() == RunEventType.RUN_EVENT_TYPE_RUN_FAILED) {
              // A client re-driving the run the moment it sees it fail.
              try {
                retried.complete(h.orchestrator.retryRun(event.getRunId()));
              } catch (RuntimeException e) {
                retried.completeExceptionally(e);
              }
            }
          }

          @Override
          public void complete() {}

          @Override
          public void fail(MeshException error) {}
        });

    assertThat(retried).succeedsWithin(Duration.ofSeconds(10));
    h.awaitState(run.getRunId(), RunState.RUN_STATE_COMPLETED);
  }

  @Test
  void retryRun_notFailed_failedPrecondition() {
    Run run = h.start("name: a\nsteps: [{id: a, skill: s}]\n");
    h.awaitState(run.getRunId(), RunState.RUN_STATE_COMPLETED);

    assertThatThrownBy(() -> h.orchestrator.retryRun(run.getRunId()))
        .isInstanceOfSatisfying(
            MeshException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.FAILED_PRECONDITION));
  }

  @Test
  void startRun_usedIdempotencyKey_returnsExistingRun() {
    StartRunRequest request =
        StartRunRequest.newBuilder()
            .setWorkflow(WorkflowYaml.parse("name: a\nsteps: [{id: a, skill: s}]\n"))
            .setIdempotencyKey("order-42")
            .build();

    Orchestrator.Started first = h.orchestrator.startRun(request);
    Orchestrator.Started second = h.orchestrator.startRun(request);

    assertThat(first.existing()).isFalse();
    assertThat(second.existing()).isTrue();
    assertThat(second.run().getRunId()).isEqualTo(first.run().getRunId());
    h.awaitState(first.run().getRunId(), RunState.RUN_STATE_COMPLETED);
    assertThat(h.agents.calls("s")).hasSize(1);
    assertThat(h.orchestrator.startRun(request).run().getState())
        .isEqualTo(RunState.RUN_STATE_COMPLETED);
  }

  @Test
  void startRun_invalidWorkflow_everyViolationUnderWorkflowField() {
    StartRunRequest request =
        StartRunRequest.newBuilder()
            .setWorkflow(
                WorkflowYaml.parse(
                    "name: a\nsteps: [{id: a, skill: s, depends_on: [zz]}, {id: a, skill: s}]\n"))
            .setPriority(500)
            .build();

    assertThatThrownBy(() -> h.orchestrator.startRun(request))
        .isInstanceOfSatisfying(
            MeshException.class,
            e ->
                assertThat(e.violations())
                    .extracting(FieldViolation::field)
                    .containsExactlyInAnyOrder(
                        "priority", "workflow.steps[0].depends_on[0]", "workflow.steps[1].id"));
    assertThat(h.orchestrator.activeRuns()).isZero();
  }

  @Test
  void startRun_missingSkillWithRejectPolicy_invalidArgument() {
    try (Harness strict = new Harness()) {
      Orchestrator o =
          Orchestrator.builder()
              .store(strict.store)
              .invoker(strict.agents)
              .skills(skill -> skill.equals("known"))
              .build()
              .start();
      try {
        assertThatThrownBy(
                () ->
                    o.startRun(
                        StartRunRequest.newBuilder()
                            .setWorkflow(
                                WorkflowYaml.parse(
                                    "name: a\nsteps: [{id: a, skill: known},"
                                        + " {id: b, skill: unknown}]\n"))
                            .build()))
            .isInstanceOfSatisfying(
                MeshException.class,
                e ->
                    assertThat(e.violations())
                        .extracting(FieldViolation::field)
                        .containsExactly("workflow.steps[1].skill"));
        Run waiting =
            o.startRun(
                    StartRunRequest.newBuilder()
                        .setWorkflow(
                            WorkflowYaml.parse(
                                "name: a\nmissing_skill_policy: MISSING_SKILL_POLICY_WAIT\n"
                                    + "steps: [{id: b, skill: unknown}]\n"))
                        .build())
                .run();
        strict.awaitState(waiting.getRunId(), RunState.RUN_STATE_COMPLETED);
        assertThat(strict.agents.calls("unknown").get(0).call.waitForReady()).isTrue();
      } finally {
        o.close();
      }
    }
  }

  @Test
  void startRun_storeRefusesTheRun_errorAndTheStartedCallIsCancelled() {
    RunStore h2 = H2RunStore.inMemory("refusing-" + System.nanoTime());
    try (Harness refusing = new Harness(EngineConfig.builder().build(), refusingCreates(h2), 64)) {
      refusing.agents.hang("slow");

      assertThatThrownBy(() -> refusing.start("name: a\nsteps: [{id: a, skill: slow}]\n"))
          .isInstanceOfSatisfying(
              MeshException.class, e -> assertThat(e.reason()).isEqualTo("STORE_FAILURE"));
      // The run started while it was being stored; once that failed, it stopped.
      await().until(() -> refusing.orchestrator.activeRuns() == 0);
      await()
          .until(() -> refusing.agents.calls("slow").stream().allMatch(FakeAgents.Call::cancelled));
      assertThat(h2.list(RunFilter.ALL, 10, "").items()).isEmpty();
    }
  }

  /** {@code store}, refusing every write that creates a run (as a full disk would). */
  private static RunStore refusingCreates(RunStore store) {
    return RunStores.intercepted(
        store,
        (method, args) -> {
          if (method.equals("write") && !((RunStore.Batch) args[0]).creates().isEmpty()) {
            throw MeshException.of(ErrorCode.INTERNAL, "STORE_FAILURE", "disk full");
          }
        });
  }

  @Test
  void startRun_saturated_resourceExhaustedWithRetryDelay() {
    try (Harness small =
        new Harness(
            EngineConfig.builder().maxActiveRuns(2).retryAfter(Duration.ofSeconds(3)).build())) {
      small.agents.hang("slow");
      String yaml = "name: a\nsteps: [{id: a, skill: slow}]\n";
      small.start(yaml);
      small.start(yaml);

      assertThatThrownBy(() -> small.start(yaml))
          .isInstanceOfSatisfying(
              MeshException.class,
              e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_EXHAUSTED);
                assertThat(e.reason()).isEqualTo("ORCHESTRATOR_SATURATED");
                assertThat(e.retryAfter()).contains(Duration.ofSeconds(3));
              });
    }
  }

  @Test
  void startRun_pendingWorkOverBound_resourceExhausted() {
    try (Harness small = new Harness(EngineConfig.builder().maxPendingWork(3).build())) {
      small.agents.hang("slow");
      small.start(
          "name: a\nsteps: [{id: a, skill: slow, for_each: input.xs, max_concurrency: 3}]\n",
          java.util.Map.of("xs", List.of(1, 2, 3)));
      await().until(() -> small.orchestrator.pendingWork() == 3);

      assertThatThrownBy(() -> small.start("name: b\nsteps: [{id: a, skill: s}]\n"))
          .isInstanceOfSatisfying(
              MeshException.class,
              e -> assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_EXHAUSTED));
    }
  }

  @Test
  void workflows_putVersionsAndStartByName() {
    var v1 =
        h.orchestrator.putWorkflow(WorkflowYaml.parse("name: wf\nsteps: [{id: a, skill: s1}]\n"));
    var v2 =
        h.orchestrator.putWorkflow(WorkflowYaml.parse("name: wf\nsteps: [{id: a, skill: s2}]\n"));

    assertThat(v1.getVersion()).isEqualTo(1);
    assertThat(v2.getVersion()).isEqualTo(2);
    assertThat(h.orchestrator.getWorkflow("wf", 0)).isEqualTo(v2);
    assertThat(h.orchestrator.getWorkflow("wf", 1)).isEqualTo(v1);
    assertThat(h.orchestrator.listWorkflows(0, "").items()).containsExactly(v2);
    Run latest =
        h.orchestrator.startRun(StartRunRequest.newBuilder().setWorkflowName("wf").build()).run();
    Run first =
        h.orchestrator
            .startRun(
                StartRunRequest.newBuilder().setWorkflowName("wf").setWorkflowVersion(1).build())
            .run();
    h.awaitState(latest.getRunId(), RunState.RUN_STATE_COMPLETED);
    h.awaitState(first.getRunId(), RunState.RUN_STATE_COMPLETED);
    assertThat(h.agents.skillsCalled()).containsExactlyInAnyOrder("s2", "s1");
    assertThatThrownBy(
            () ->
                h.orchestrator.startRun(StartRunRequest.newBuilder().setWorkflowName("no").build()))
        .isInstanceOfSatisfying(
            MeshException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
  }

  @Test
  void agentResult_agentInstanceRecorded() {
    h.agents.on(
        "s",
        c ->
            CompletableFuture.completedFuture(
                new AgentResult(List.of(FakeAgents.text("x")), "10.0.0.7:9000")));
    Run run = h.start("name: a\nsteps: [{id: a, skill: s}]\n");

    Run done = h.awaitState(run.getRunId(), RunState.RUN_STATE_COMPLETED);

    assertThat(step(done, "a").getAgentInstance()).isEqualTo("10.0.0.7:9000");
  }
}
