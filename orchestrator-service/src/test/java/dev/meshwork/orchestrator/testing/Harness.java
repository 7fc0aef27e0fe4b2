package dev.meshwork.orchestrator.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Struct;
import dev.meshwork.api.orchestrator.v1.Run;
import dev.meshwork.api.orchestrator.v1.RunEvent;
import dev.meshwork.api.orchestrator.v1.RunEventType;
import dev.meshwork.api.orchestrator.v1.RunState;
import dev.meshwork.api.orchestrator.v1.StartRunRequest;
import dev.meshwork.api.orchestrator.v1.StepRun;
import dev.meshwork.orchestrator.Orchestrator;
import dev.meshwork.orchestrator.RunStore;
import dev.meshwork.orchestrator.WorkflowYaml;
import dev.meshwork.orchestrator.internal.RunStates;
import dev.meshwork.orchestrator.internal.engine.EngineConfig;
import dev.meshwork.orchestrator.internal.expr.Values;
import dev.meshwork.orchestrator.internal.store.H2RunStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.LongStream;

/** An orchestrator over an in-memory H2 store and fake agents, with helpers for assertions. */
public final class Harness implements AutoCloseable {

  public final FakeAgents agents = new FakeAgents();
  public final MutableClock clock = new MutableClock();
  public final RunStore store;
  public final Orchestrator orchestrator;

  public Harness() {
    this(EngineConfig.builder().build());
  }

  public Harness(EngineConfig config) {
    this(config, H2RunStore.inMemory("t" + UUID.randomUUID()), 1024);
  }

  public Harness(EngineConfig config, RunStore store, int watchBuffer) {
    this.store = store;
    this.orchestrator =
        Orchestrator.builder()
            .store(store)
            .invoker(agents)
            .clock(clock)
            .config(config)
            .random(() -> 0.5) // jitter factor 1: delays are exactly the base backoff
            .watchBufferSize(watchBuffer)
            .build()
            .start();
  }

  /** Starts a run of a YAML workflow. */
  public Run start(String yaml, Map<String, Object> input) {
    return orchestrator
        .startRun(
            StartRunRequest.newBuilder()
                .setWorkflow(WorkflowYaml.parse(yaml))
                .setInput(Values.toStruct(input))
                .build())
        .run();
  }

  public Run start(String yaml) {
    return start(yaml, Map.of());
  }

  /** Waits for the run's terminal state and returns the run. */
  public Run awaitEnd(String runId) {
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(10))
        .alias("run " + runId + " ends")
        .conditionEvaluationListener(
            c -> {
              if (c.getRemainingTimeInMS() <= c.getPollInterval().toMillis()) {
                System.err.println("events so far: " + store.eventsAfter(runId, 0, 1000));
              }
            })
        .until(() -> RunStates.isTerminal(store.get(runId).orElseThrow().getState()));
    return store.get(runId).orElseThrow();
  }

  public Run awaitState(String runId, RunState state) {
    Run run = awaitEnd(runId);
    assertThat(run.getState()).as("run state, error: %s", run.getError()).isEqualTo(state);
    return run;
  }

  /** Every stored event of a run; asserts sequences are 1..N without gaps. */
  public List<RunEvent> events(String runId) {
    List<RunEvent> events = store.eventsAfter(runId, 0, 100_000);
    assertThat(events)
        .extracting(RunEvent::getSequence)
        .containsExactlyElementsOf(LongStream.rangeClosed(1, events.size()).boxed().toList());
    assertThat(store.get(runId).orElseThrow().getLastSequence()).isEqualTo(events.size());
    return events;
  }

  /** The types of a run's events concerning {@code stepId} (item -1). */
  public List<RunEventType> stepEvents(String runId, String stepId) {
    return events(runId).stream()
        .filter(e -> e.getStepId().equals(stepId) && e.getItemIndex() == -1)
        .map(RunEvent::getType)
        .toList();
  }

  public static StepRun step(Run run, String stepId) {
    return step(run, stepId, -1);
  }

  public static StepRun step(Run run, String stepId, int item) {
    return run.getStepsList().stream()
        .filter(s -> s.getStepId().equals(stepId) && s.getItemIndex() == item)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no step " + stepId + "[" + item + "] in " + run));
  }

  public static String text(StepRun step) {
    return step.getOutput(0).getText();
  }

  public static Struct struct(Map<String, Object> map) {
    return Values.toStruct(map);
  }

  @Override
  public void close() {
    orchestrator.close();
    store.close();
  }
}
