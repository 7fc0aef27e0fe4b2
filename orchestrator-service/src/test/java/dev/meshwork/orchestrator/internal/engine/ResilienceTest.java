package dev.meshwork.orchestrator.internal.engine;

import static dev.meshwork.orchestrator.testing.Harness.step;
import static dev.meshwork.orchestrator.testing.Harness.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.meshwork.api.orchestrator.v1.Run;
import dev.meshwork.api.orchestrator.v1.RunEvent;
import dev.meshwork.api.orchestrator.v1.RunEventType;
import dev.meshwork.api.orchestrator.v1.RunState;
import dev.meshwork.api.orchestrator.v1.StepState;
import dev.meshwork.orchestrator.AgentCallException;
import dev.meshwork.orchestrator.AgentResult;
import dev.meshwork.orchestrator.testing.FakeAgents;
import dev.meshwork.orchestrator.testing.Harness;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class ResilienceTest {

  @Test
  void retry_retryableCode_retriesWithBackoffThenSucceeds() {
    try (Harness h = new Harness()) {
      h.agents.failFirst("flaky", 2, "UNAVAILABLE");
      Run run =
          h.start(
              """
              name: r
              steps:
                - id: a
                  skill: flaky
                  input: x
                  retry: {max_attempts: 4, initial_backoff: 0.100s, multiplier: 2, max_backoff: 1s}
              """);

      Run done = h.awaitState(run.getRunId(), RunState.RUN_STATE_COMPLETED);

      assertThat(step(done, "a").getAttempt()).isEqualTo(3);
      assertThat(text(step(done, "a"))).isEqualTo("flaky(x)");
      List<FakeAgents.Call> calls = h.agents.calls("flaky");
      assertThat(calls).extracting(c -> c.call.attempt()).containsExactly(1, 2, 3);
      assertThat(calls)
          .extracting(c -> c.call.idempotencyKey())
          .containsOnly(run.getRunId() + "/a");
      // Jitter is pinned to its midpoint: the delays are exactly 100ms, then 200ms.
      assertThat(Duration.ofNanos(calls.get(1).startNanos - calls.get(0).startNanos))
          .isGreaterThanOrEqualTo(Duration.ofMillis(100));
      assertThat(Duration.ofNanos(calls.get(2).startNanos - calls.get(1).startNanos))
          .isGreaterThanOrEqualTo(Duration.ofMillis(200));
      assertThat(h.stepEvents(run.getRunId(), "a"))
          .containsExactly(
              RunEventType.RUN_EVENT_TYPE_STEP_STARTED,
              RunEventType.RUN_EVENT_TYPE_STEP_RETRYING,
              RunEventType.RUN_EVENT_TYPE_STEP_STARTED,
              RunEventType.RUN_EVENT_TYPE_STEP_RETRYING,
              RunEventType.RUN_EVENT_TYPE_STEP_STARTED,
              RunEventType.RUN_EVENT_TYPE_STEP_COMPLETED);
    }
  }

  @Test
  void retry_nonRetryableCode_failsAfterOneAttempt() {
    try (Harness h = new Harness()) {
      h.agents.fail("picky", "INVALID_ARGUMENT");
      Run run = h.start("name: r\nsteps: [{id: a, skill: picky, retry: {max_attempts: 5}}]\n");

      Run done = h.awaitState(run.getRunId(), RunState.RUN_STATE_FAILED);

      assertThat(h.agents.calls("picky")).hasSize(1);
      assertThat(step(done, "a").getError().getCode()).isEqualTo("INVALID_ARGUMENT");
      assertThat(step(done, "a").getError().getAttempts()).isEqualTo(1);
      assertThat(done.getError().getMessage()).startsWith("step 'a' failed:");
    }
  }

  @Test
  void retry_exhausted_failsWithLastErrorAndAttempts() {
    try (Harness h = new Harness()) {
      h.agents.fail("down", "UNAVAILABLE");
      Run run =
          h.start(
              "name: r\nsteps: [{id: a, skill: down, retry: {max_attempts: 3,"
                  + " initial_backoff: 0.010s}}]\n");

      Run done = h.awaitState(run.getRunId(), RunState.RUN_STATE_FAILED);

      assertThat(h.agents.calls("down")).hasSize(3);
      assertThat(step(done, "a").getError().getAttempts()).isEqualTo(3);
      assertThat(step(done, "a").getError().getCode()).isEqualTo("UNAVAILABLE");
    }
  }

  @Test
  void retry_customRetryableCodes_onlyThoseRetried() {
    try (Harness h = new Harness()) {
      h.agents.failFirst("x", 1, "UNAVAILABLE");
      Run run =
          h.start(
              "name: r\nsteps: [{id: a, skill: x, retry: {max_attempts: 3,"
                  + " retryable_codes: [ABORTED]}}]\n");

      h.awaitState(run.getRunId(), RunState.RUN_STATE_FAILED);

      assertThat(h.agents.calls("x")).hasSize(1);
    }
  }

  @Test
  void retry_budgetLeftBelowMinimum_noFurtherAttempt() {
    try (Harness h = new Harness()) {
      // The first attempt "takes" 9.97s of the 10s budget (the clock is moved on): 30ms are left,
      // below the 50ms an attempt needs, so no retry starts although the code is retryable.
      h.agents.on(
          "slow",
          c -> {
            h.clock.advance(Duration.ofMillis(9_970));
            return CompletableFuture.failedFuture(
                new AgentCallException("UNAVAILABLE", "", "busy"));
          });
      Run run =
          h.start(
              "name: r\ntimeout: 10s\nsteps: [{id: a, skill: slow, retry: {max_attempts: 5,"
                  + " initial_backoff: 0.001s}}]\n");

      Run done = h.awaitState(run.getRunId(), RunState.RUN_STATE_FAILED);

      assertThat(h.agents.calls("slow")).hasSize(1);
      assertThat(step(done, "a").getError().getCode()).isEqualTo("UNAVAILABLE");
    }
  }

  @Test
  void retry_callDeadline_isMinOfStepTimeoutAndBudgetLeft() {
    try (Harness h = new Harness()) {
      Run run =
          h.start(
              """
              name: d
              timeout: 20s
              steps:
                - {id: a, skill: s, timeout: 2s}
                - {id: b, skill: s, depends_on: [a]}
              """);

      h.awaitState(run.getRunId(), RunState.RUN_STATE_COMPLETED);

      List<FakeAgents.Call> calls = h.agents.calls("s");
      assertThat(calls.get(0).call.timeout()).isEqualTo(Duration.ofSeconds(2));
      // b has the default 30s timeout, but the run's budget left is below 20s.
      assertThat(calls.get(1).call.timeout())
          .isLessThanOrEqualTo(Duration.ofSeconds(20))
          .isGreaterThan(Duration.ofSeconds(15));
    }
  }

  @Test
  void stepTimeout_agentIgnoresDeadline_attemptTimesOutAndRetries() {
    try (Harness h = new Harness()) {
      h.agents.hang("stuck");
      Run run =
          h.start(
              "name: t\nsteps: [{id: a, skill: stuck, timeout: 0.100s,"
                  + " retry: {max_attempts: 2, initial_backoff: 0.010s}}]\n");

      Run done = h.awaitState(run.getRunId(), RunState.RUN_STATE_FAILED);

      assertThat(h.agents.calls("stuck")).hasSize(2).allMatch(FakeAgents.Call::cancelled);
      assertThat(step(done, "a").getError().getCode()).isEqualTo("DEADLINE_EXCEEDED");
      assertThat(step(done, "a").getError().getReason()).isEqualTo("STEP_TIMEOUT");
      assertThat(step(done, "a").getError().getMessage())
          .isEqualTo("the attempt did not finish within its timeout (100ms)");
    }
  }

  @Test
  void runDeadline_exceeded_failsRunAndCancelsCall() {
    try (Harness h = new Harness()) {
      h.agents.hang("stuck");
      // Long enough for the step to be running when the deadline fires, even on a loaded machine.
      Run run = h.start("name: t\ntimeout: 1.5s\nsteps: [{id: a, skill: stuck}]\n");

      Run done = h.awaitState(run.getRunId(), RunState.RUN_STATE_FAILED);

      assertThat(done.getError().getReason()).isEqualTo("RUN_DEADLINE_EXCEEDED");
      assertThat(step(done, "a").getState()).isEqualTo(StepState.STEP_STATE_CANCELED);
      assertThat(h.agents.calls("stuck")).singleElement().matches(FakeAgents.Call::cancelled);
    }
  }

  @Test
  void breaker_opensAfterFailures_surfacesCircuitOpen_thenHalfOpensAndCloses() {
    EngineConfig config =
        EngineConfig.builder().breakerThreshold(2, 2).breakerDelay(Duration.ofMillis(300)).build();
    try (Harness h = new Harness(config)) {
      h.agents.fail("weak", "UNAVAILABLE");
      String yaml = "name: b\nsteps: [{id: a, skill: weak, retry: {max_attempts: 1}}]\n";
      for (int i = 0; i < 2; i++) {
        Run failed = h.awaitState(h.start(yaml).getRunId(), RunState.RUN_STATE_FAILED);
        assertThat(step(failed, "a").getError().getCode()).isEqualTo("UNAVAILABLE");
      }
      assertThat(h.agents.calls("weak")).hasSize(2);

      Run open = h.awaitState(h.start(yaml).getRunId(), RunState.RUN_STATE_FAILED);

      assertThat(step(open, "a").getError().getReason()).isEqualTo("CIRCUIT_OPEN");
      assertThat(h.agents.calls("weak")).as("an open breaker does not call the agent").hasSize(2);

      h.agents.answer("weak", "healthy");
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(5))
          .untilAsserted(
              () ->
                  assertThat(h.awaitEnd(h.start(yaml).getRunId()).getState())
                      .isEqualTo(RunState.RUN_STATE_COMPLETED));
      Run closed = h.awaitState(h.start(yaml).getRunId(), RunState.RUN_STATE_COMPLETED);
      assertThat(text(step(closed, "a"))).isEqualTo("healthy");
    }
  }

  @Test
  void fallback_primaryFails_fallbackSkillOutputStandsForStep() {
    try (Harness h = new Harness()) {
      h.agents.fail("big-model", "UNAVAILABLE");
      Run run =
          h.start(
              """
              name: f
              steps:
                - id: sum
                  skill: big-model
                  input: text
                  retry: {max_attempts: 2, initial_backoff: 0.010s}
                  on_failure: FAILURE_ACTION_FALLBACK
                  fallback_skill: small-model
                - {id: next, skill: s.next, depends_on: [sum]}
              """);

      Run done = h.awaitState(run.getRunId(), RunState.RUN_STATE_COMPLETED);

      assertThat(text(step(done, "sum"))).isEqualTo("small-model(text)");
      assertThat(step(done, "sum").getAttempt()).isEqualTo(3);
      assertThat(text(step(done, "next"))).isEqualTo("s.next(small-model(text))");
      assertThat(h.agents.calls("small-model").get(0).call.idempotencyKey())
          .isEqualTo(run.getRunId() + "/sum/fallback");
      List<RunEvent> events = h.events(run.getRunId());
      assertThat(events).anyMatch(e -> e.getMessage().equals("falling back to skill small-model"));
    }
  }

  @Test
  void continue_failedStep_dependantsSkipped_otherBranchesRun_runCompletes() {
    try (Harness h = new Harness()) {
      h.agents.fail("bad", "INTERNAL");
      Run run =
          h.start(
              """
name: c
steps:
  - {id: optional, skill: bad, on_failure: FAILURE_ACTION_CONTINUE, retry: {max_attempts: 1}}
  - {id: uses, skill: s.uses, depends_on: [optional]}
  - {id: other, skill: s.other}
""");

      Run done = h.awaitState(run.getRunId(), RunState.RUN_STATE_COMPLETED);

      assertThat(step(done, "optional").getState()).isEqualTo(StepState.STEP_STATE_FAILED);
      assertThat(step(done, "uses").getState()).isEqualTo(StepState.STEP_STATE_SKIPPED);
      assertThat(step(done, "other").getState()).isEqualTo(StepState.STEP_STATE_COMPLETED);
      assertThat(h.agents.calls("s.uses")).isEmpty();
    }
  }

  @Test
  void forEach_elementFails_stepFailsAndOtherElementsCancelled() {
    try (Harness h = new Harness()) {
      h.agents.on(
          "each",
          c ->
              c.input().get(0).getText().equals("bad")
                  ? CompletableFuture.failedFuture(new AgentCallException("INTERNAL", "", "no"))
                  : new CompletableFuture<AgentResult>());
      Run run =
          h.start(
              "name: e\nsteps: [{id: a, skill: each, for_each: input.xs, max_concurrency: 3,"
                  + " retry: {max_attempts: 1}}]\n",
              java.util.Map.of("xs", List.of("ok1", "bad", "ok2")));

      Run done = h.awaitState(run.getRunId(), RunState.RUN_STATE_FAILED);

      assertThat(step(done, "a").getError().getMessage()).startsWith("item 1:");
      assertThat(step(done, "a", 1).getState()).isEqualTo(StepState.STEP_STATE_FAILED);
      // An element not started yet when "bad" fails is never called at all; which of the others
      // started first is up to the workers.
      assertThat(h.agents.calls("each"))
          .hasSizeBetween(1, 3)
          .anyMatch(c -> c.call.input().get(0).getText().equals("bad"));
      org.awaitility.Awaitility.await()
          .untilAsserted(() -> assertThat(h.orchestrator.pendingWork()).isZero());
      org.awaitility.Awaitility.await()
          .untilAsserted(
              () ->
                  assertThat(h.agents.calls("each"))
                      .filteredOn(c -> !c.call.input().get(0).getText().equals("bad"))
                      .allMatch(FakeAgents.Call::cancelled));
    }
  }
}
