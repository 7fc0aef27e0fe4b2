package dev.meshwork.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meshwork.api.orchestrator.v1.StartRunRequest;
import dev.meshwork.orchestrator.AgentCallException;
import dev.meshwork.orchestrator.AgentInvoker;
import dev.meshwork.orchestrator.AgentResult;
import dev.meshwork.orchestrator.Orchestrator;
import dev.meshwork.orchestrator.internal.engine.EngineConfig;
import dev.meshwork.orchestrator.internal.store.H2RunStore;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class InProcessRunsTest {

  private final ExecutorService starters = Executors.newCachedThreadPool();
  private final H2RunStore store = H2RunStore.inMemory("bench-" + UUID.randomUUID());

  @AfterEach
  void close() {
    starters.shutdownNow();
    store.close();
  }

  @Test
  void run_pipelineWithAnsweringAgent_completedWithBothClocks() throws Exception {
    try (Orchestrator orchestrator =
        orchestrator(call -> CompletableFuture.completedFuture(AgentResult.of(call.input())), 10)) {
      RunDriver.Outcome outcome = runOnce(orchestrator, OrchestratorBench.PIPELINE);

      assertThat(outcome.kind()).isEqualTo(RunDriver.Kind.COMPLETED);
      assertThat(outcome.clientNanos()).isPositive();
      assertThat(outcome.serverNanos()).isBetween(0L, outcome.clientNanos());
    }
  }

  @Test
  void run_agentFails_failed() throws Exception {
    try (Orchestrator orchestrator =
        orchestrator(
            call -> CompletableFuture.failedFuture(new AgentCallException("INTERNAL", "", "no")),
            10)) {
      assertThat(runOnce(orchestrator, OrchestratorBench.PIPELINE).kind())
          .isEqualTo(RunDriver.Kind.FAILED);
    }
  }

  @Test
  void run_saturatedOrchestrator_rejected() throws Exception {
    try (Orchestrator orchestrator = orchestrator(call -> new CompletableFuture<>(), 1)) {
      runAsync(orchestrator, OrchestratorBench.PIPELINE); // holds the only active-run slot
      await().atMost(Duration.ofSeconds(10)).until(() -> orchestrator.activeRuns() == 1);

      assertThat(runOnce(orchestrator, OrchestratorBench.PIPELINE).kind())
          .isEqualTo(RunDriver.Kind.REJECTED);
    }
  }

  private Orchestrator orchestrator(AgentInvoker agent, int maxActiveRuns) {
    return Orchestrator.builder()
        .store(store)
        .invoker(agent)
        .config(EngineConfig.builder().maxActiveRuns(maxActiveRuns).build())
        .build()
        .start();
  }

  private RunDriver.Outcome runOnce(Orchestrator orchestrator, String workflow) throws Exception {
    return runAsync(orchestrator, workflow).get(10, TimeUnit.SECONDS);
  }

  private CompletableFuture<RunDriver.Outcome> runAsync(Orchestrator orchestrator, String workflow)
      throws Exception {
    CompletableFuture<RunDriver.Outcome> outcome = new CompletableFuture<>();
    StartRunRequest request =
        StartRunRequest.newBuilder()
            .setWorkflow(BenchMesh.workflow(workflow))
            .setInput(BenchMesh.struct(OrchestratorBench.INPUT))
            .build();
    new InProcessRuns(orchestrator, starters).run(request, outcome::complete);
    return outcome;
  }
}
