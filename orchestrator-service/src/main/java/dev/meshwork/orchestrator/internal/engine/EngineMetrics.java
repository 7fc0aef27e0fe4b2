package dev.meshwork.orchestrator.internal.engine;

import static java.util.Objects.requireNonNull;

import dev.failsafe.CircuitBreaker;
import dev.meshwork.observability.MeshAttributes;
import dev.meshwork.observability.MeshMetrics;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.ObservableLongGauge;
import java.time.Duration;

/**
 * The engine's metrics: {@code meshwork.runs} and {@code meshwork.steps} (counters by outcome),
 * {@code meshwork.step.duration} (seconds, by skill and outcome) and {@code meshwork.breaker.state}
 * (a gauge per skill: 0 closed, 1 half-open, 2 open). Instruments are bound to the telemetry
 * current when the engine is built.
 */
final class EngineMetrics implements AutoCloseable {

  private final LongCounter runs;
  private final LongCounter steps;
  private final DoubleHistogram stepDuration;
  private final ObservableLongGauge breakers;

  EngineMetrics(SkillPolicies policies) {
    requireNonNull(policies, "policies");
    runs = MeshMetrics.counter("meshwork.runs", "Runs finished, by outcome", "{run}");
    steps = MeshMetrics.counter("meshwork.steps", "Steps finished, by outcome", "{step}");
    stepDuration =
        MeshMetrics.durationHistogram(
            "meshwork.step.duration", "Time from a step's launch to its end, retries included");
    breakers =
        MeshMetrics.gauge(
            "meshwork.breaker.state",
            "Circuit breaker state per skill: 0 closed, 1 half-open, 2 open",
            "1",
            m ->
                policies.forEachBreaker(
                    (skill, state) ->
                        m.record(
                            level(state),
                            Attributes.of(
                                MeshAttributes.SKILL,
                                skill,
                                MeshAttributes.BREAKER_STATE,
                                state.name()))));
  }

  void runEnded(String outcome) {
    runs.add(1, Attributes.of(MeshAttributes.OUTCOME, outcome));
  }

  void stepEnded(String skill, String outcome, Duration elapsed) {
    Attributes attributes =
        Attributes.of(MeshAttributes.SKILL, skill, MeshAttributes.OUTCOME, outcome);
    steps.add(1, attributes);
    if (elapsed != null) {
      stepDuration.record(elapsed.toNanos() / 1e9, attributes);
    }
  }

  private static long level(CircuitBreaker.State state) {
    return switch (state) {
      case CLOSED -> 0;
      case HALF_OPEN -> 1;
      case OPEN -> 2;
    };
  }

  @Override
  public void close() {
    breakers.close();
  }
}
