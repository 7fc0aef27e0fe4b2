package dev.meshwork.orchestrator.internal.engine;

import static java.util.Objects.requireNonNull;

import dev.meshwork.orchestrator.AgentInvoker;
import dev.meshwork.orchestrator.RunStore;
import java.time.Clock;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.DoubleSupplier;

/**
 * What every run execution shares: configuration, store, the writer of its events, invoker,
 * dispatcher, per-skill policies, the clock, the scheduler and the metrics.
 */
record EngineContext(
    EngineConfig config,
    RunStore store,
    RunLogWriter writer,
    AgentInvoker invoker,
    Dispatcher dispatcher,
    SkillPolicies policies,
    Clock clock,
    ScheduledExecutorService scheduler,
    DoubleSupplier random,
    EngineMetrics metrics) {


  EngineContext {
    requireNonNull(config, "config");
    requireNonNull(store, "store");
    requireNonNull(writer, "writer");
    requireNonNull(invoker, "invoker");
    requireNonNull(dispatcher, "dispatcher");
    requireNonNull(policies, "policies");
    requireNonNull(clock, "clock");
    requireNonNull(scheduler, "scheduler");
    requireNonNull(random, "random");
    requireNonNull(metrics, "metrics");
  }

  /** A resilient call of {@code skill}, sharing the skill's breaker with every run. */
  ResilientCall callOf(String skill) {
    return new ResilientCall(
        invoker, policies.breaker(skill), scheduler, clock, config.minAttemptBudget(), random);
  }
}
