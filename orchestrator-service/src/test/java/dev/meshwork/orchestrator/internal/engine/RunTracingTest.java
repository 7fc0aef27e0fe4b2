package dev.meshwork.orchestrator.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meshwork.api.orchestrator.v1.Run;
import dev.meshwork.api.orchestrator.v1.RunState;
import dev.meshwork.observability.MeshAttributes;
import dev.meshwork.observability.MeshLogging;
import dev.meshwork.observability.testing.InMemoryTelemetry;
import dev.meshwork.orchestrator.testing.FakeAgents;
import dev.meshwork.orchestrator.testing.Harness;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RunTracingTest {

  @RegisterExtension final InMemoryTelemetry telemetry = new InMemoryTelemetry();

  private static final String TWO_STEPS =
      """
      name: traced
      steps:
        - {id: a, skill: echo, input: x}
        - {id: b, skill: echo, depends_on: [a]}
      """;

  @Test
  void startRun_twoSteps_parentsAttemptsUnderStepsUnderRun() {
    try (Harness h = new Harness()) {
      Run run = h.start(TWO_STEPS);
      h.awaitState(run.getRunId(), RunState.RUN_STATE_COMPLETED);

      SpanData runSpan = awaitSpan("run traced");
      SpanData stepA = awaitSpan("step a");
      SpanData stepB = awaitSpan("step b");
      List<SpanData> attempts = telemetry.spansNamed("attempt 1 echo");

      assertThat(runSpan.getAttributes().get(MeshAttributes.RUN_ID)).isEqualTo(run.getRunId());
      assertThat(runSpan.getParentSpanContext().isValid()).isFalse();
      assertThat(List.of(stepA, stepB))
          .allSatisfy(s -> assertThat(s.getParentSpanId()).isEqualTo(runSpan.getSpanId()));
      assertThat(attempts).hasSize(2);
      assertThat(attempts)
          .extracting(SpanData::getParentSpanId)
          .containsExactlyInAnyOrder(stepA.getSpanId(), stepB.getSpanId());
      SpanData attemptA =
          attempts.stream()
              .filter(s -> s.getParentSpanId().equals(stepA.getSpanId()))
              .findFirst()
              .orElseThrow();
      assertThat(attemptA.getAttributes().get(MeshAttributes.STEP_ID)).isEqualTo("a");
      assertThat(attemptA.getAttributes().get(MeshAttributes.SKILL)).isEqualTo("echo");
      assertThat(attemptA.getAttributes().get(MeshAttributes.ATTEMPT)).isEqualTo(1L);
      assertThat(attemptA.getAttributes().get(MeshAttributes.RUN_ID)).isEqualTo(run.getRunId());
      assertThat(telemetry.spans())
          .extracting(SpanData::getTraceId)
          .containsOnly(runSpan.getTraceId());
    }
  }

  @Test
  void startRun_traced_storesTraceIdOnTheRun() {
    try (Harness h = new Harness()) {
      Run run = h.start(TWO_STEPS);

      assertThat(run.getTraceId()).hasSize(32).isNotEqualTo("0".repeat(32));
      assertThat(h.orchestrator.getRun(run.getRunId()).getTraceId()).isEqualTo(run.getTraceId());
      h.awaitState(run.getRunId(), RunState.RUN_STATE_COMPLETED);
      assertThat(awaitSpan("run traced").getTraceId()).isEqualTo(run.getTraceId());
      assertThat(h.store.get(run.getRunId()).orElseThrow().getTraceId())
          .isEqualTo(run.getTraceId());
    }
  }

  @Test
  void retryRun_afterFailure_newRunSpanIsChildOfTheFirstInTheSameTrace() {
    try (Harness h = new Harness()) {
      h.agents.failFirst("flaky", 1, "INTERNAL");
      Run run = h.start("name: redo\nsteps: [{id: a, skill: flaky, retry: {max_attempts: 1}}]\n");
      h.awaitState(run.getRunId(), RunState.RUN_STATE_FAILED);
      SpanData first = awaitSpan("run redo");

      h.orchestrator.retryRun(run.getRunId());
      h.awaitState(run.getRunId(), RunState.RUN_STATE_COMPLETED);

      await().until(() -> telemetry.spansNamed("run redo").size() == 2);
      SpanData second =
          telemetry.spansNamed("run redo").stream()
              .filter(s -> !s.getSpanId().equals(first.getSpanId()))
              .findFirst()
              .orElseThrow();
      assertThat(run.getRunSpanId()).isEqualTo(first.getSpanId());
      assertThat(second.getTraceId()).isEqualTo(first.getTraceId());
      assertThat(second.getParentSpanId()).isEqualTo(first.getSpanId());
    }
  }

  @Test
  void invoke_duringAttempt_seesAttemptSpanAndRunIdAsCurrent() {
    try (Harness h = new Harness()) {
      Map<String, SpanContext> seen = new ConcurrentHashMap<>();
      Map<String, String> runIds = new ConcurrentHashMap<>();
      h.agents.on(
          "echo",
          c -> {
            // What the gRPC client interceptor sees: its client span becomes a child of this.
            seen.put(c.idempotencyKey(), Span.current().getSpanContext());
            runIds.put(c.idempotencyKey(), MeshLogging.currentRunId().orElse(""));
            return FakeAgents.echo(c);
          });
      Run run = h.start(TWO_STEPS);
      h.awaitState(run.getRunId(), RunState.RUN_STATE_COMPLETED);

      await().until(() -> telemetry.spansNamed("attempt 1 echo").size() == 2);
      assertThat(seen.values())
          .extracting(SpanContext::getSpanId)
          .containsExactlyInAnyOrderElementsOf(
              telemetry.spansNamed("attempt 1 echo").stream().map(SpanData::getSpanId).toList());
      assertThat(runIds.values()).containsOnly(run.getRunId());
    }
  }

  @Test
  void retry_firstAttemptFails_recordsTwoAttemptSpansFirstError() {
    try (Harness h = new Harness()) {
      h.agents.failFirst("flaky", 1, "UNAVAILABLE");
      Run run =
          h.start(
              """
              name: retried
              steps:
                - id: a
                  skill: flaky
                  input: x
                  retry: {max_attempts: 3, initial_backoff: 0.010s}
              """);
      h.awaitState(run.getRunId(), RunState.RUN_STATE_COMPLETED);

      SpanData step = awaitSpan("step a");
      SpanData first = awaitSpan("attempt 1 flaky");
      SpanData second = awaitSpan("attempt 2 flaky");
      assertThat(List.of(first, second))
          .allSatisfy(s -> assertThat(s.getParentSpanId()).isEqualTo(step.getSpanId()));
      assertThat(first.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
      assertThat(first.getEvents()).extracting(e -> e.getName()).contains("exception");
      assertThat(second.getStatus().getStatusCode()).isNotEqualTo(StatusCode.ERROR);
      assertThat(step.getStatus().getStatusCode()).isNotEqualTo(StatusCode.ERROR);
    }
  }

  @Test
  void failedStep_nonRetryable_marksStepAndRunSpansError() {
    try (Harness h = new Harness()) {
      h.agents.fail("picky", "INVALID_ARGUMENT");
      Run run = h.start("name: failing\nsteps: [{id: a, skill: picky}]\n");
      h.awaitState(run.getRunId(), RunState.RUN_STATE_FAILED);

      SpanData runSpan = awaitSpan("run failing");
      assertThat(awaitSpan("step a").getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
      assertThat(runSpan.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
      assertThat(runSpan.getAttributes().get(MeshAttributes.OUTCOME)).isEqualTo("FAILED");
    }
  }

  @Test
  void breakerOpen_rejectedStep_recordsBreakerState() {
    EngineConfig config =
        EngineConfig.builder().breakerThreshold(1, 1).breakerDelay(Duration.ofMinutes(1)).build();
    try (Harness h = new Harness(config)) {
      h.agents.fail("down", "UNAVAILABLE");
      String yaml = "name: broken\nsteps: [{id: a, skill: down, retry: {max_attempts: 1}}]\n";
      h.awaitState(h.start(yaml).getRunId(), RunState.RUN_STATE_FAILED);
      h.awaitState(h.start(yaml).getRunId(), RunState.RUN_STATE_FAILED);

      await().until(() -> telemetry.spansNamed("step a").size() == 2);
      assertThat(telemetry.spansNamed("step a"))
          .extracting(s -> s.getAttributes().get(MeshAttributes.BREAKER_STATE))
          .contains("OPEN");
      assertThat(telemetry.spansNamed("attempt 1 down")).hasSize(1);
    }
  }

  @Test
  void runs_completedAndFailed_countedByOutcomeWithStepDurations() {
    try (Harness h = new Harness()) {
      h.agents.fail("picky", "INVALID_ARGUMENT");
      h.awaitState(h.start(TWO_STEPS).getRunId(), RunState.RUN_STATE_COMPLETED);
      h.awaitState(
          h.start("name: f\nsteps: [{id: a, skill: picky}]\n").getRunId(),
          RunState.RUN_STATE_FAILED);

      await()
          .untilAsserted(
              () -> {
                assertThat(counts("meshwork.runs"))
                    .containsEntry("COMPLETED", 1L)
                    .containsEntry("FAILED", 1L);
                assertThat(counts("meshwork.steps"))
                    .containsEntry("COMPLETED", 2L)
                    .containsEntry("FAILED", 1L);
              });
      assertThat(telemetry.metric("meshwork.step.duration")).isPresent();
      assertThat(telemetry.metric("meshwork.breaker.state")).isPresent();
    }
  }

  private SpanData awaitSpan(String name) {
    await()
        .atMost(Duration.ofSeconds(10))
        .alias("span '" + name + "' ended")
        .until(() -> !telemetry.spansNamed(name).isEmpty());
    return telemetry.spansNamed(name).get(0);
  }

  private Map<String, Long> counts(String metric) {
    Optional<MetricData> data = telemetry.metric(metric);
    Map<String, Long> byOutcome = new ConcurrentHashMap<>();
    data.ifPresent(
        d -> {
          for (LongPointData p : d.getLongSumData().getPoints()) {
            byOutcome.merge(p.getAttributes().get(MeshAttributes.OUTCOME), p.getValue(), Long::sum);
          }
        });
    return byOutcome;
  }
}
