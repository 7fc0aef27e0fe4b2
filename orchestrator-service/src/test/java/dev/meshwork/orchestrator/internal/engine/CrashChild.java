package dev.meshwork.orchestrator.internal.engine;

import dev.meshwork.api.orchestrator.v1.StartRunRequest;
import dev.meshwork.orchestrator.AgentResult;
import dev.meshwork.orchestrator.Orchestrator;
import dev.meshwork.orchestrator.WorkflowYaml;
import dev.meshwork.orchestrator.internal.store.H2RunStore;
import dev.meshwork.orchestrator.testing.FakeAgents;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The process {@link CrashRecoveryTest} kills: an orchestrator on an H2 file whose agents answer
 * after a random 100-400ms, running many 3-step pipelines. Prints "STARTED" once every StartRun was
 * acknowledged and "DONE <key>" per answered call, then runs until killed.
 */
public final class CrashChild {

  static final String WORKFLOW =
      """
      name: crash
      steps:
        - {id: a, skill: slow}
        - {id: b, skill: slow, depends_on: [a]}
        - {id: c, skill: slow, depends_on: [b]}
      """;

  private CrashChild() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    int runs = Integer.parseInt(args[1]);
    ScheduledExecutorService timer = Executors.newScheduledThreadPool(2);
    FakeAgents agents = new FakeAgents();
    agents.on(
        "slow",
        call -> {
          CompletableFuture<AgentResult> f = new CompletableFuture<>();
          timer.schedule(
              () -> {
                f.complete(AgentResult.of(List.of(FakeAgents.text(call.idempotencyKey()))));
                System.out.println("DONE " + call.idempotencyKey());
              },
              ThreadLocalRandom.current().nextLong(100, 400),
              TimeUnit.MILLISECONDS);
          return f;
        });
    Orchestrator orchestrator =
        Orchestrator.builder().store(H2RunStore.openFile(dir)).invoker(agents).build().start();
    for (int i = 0; i < runs; i++) {
      orchestrator.startRun(
          StartRunRequest.newBuilder()
              .setWorkflow(WorkflowYaml.parse(WORKFLOW))
              .setIdempotencyKey("crash-" + i)
              .build());
    }
    System.out.println("STARTED");
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
