package dev.meshwork.orchestrator.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meshwork.api.orchestrator.v1.Run;
import dev.meshwork.api.orchestrator.v1.RunState;
import dev.meshwork.api.orchestrator.v1.StepRun;
import dev.meshwork.api.orchestrator.v1.StepState;
import dev.meshwork.orchestrator.RunFilter;
import dev.meshwork.orchestrator.internal.RunStates;
import dev.meshwork.orchestrator.internal.store.H2RunStore;
import dev.meshwork.orchestrator.testing.FakeAgents;
import dev.meshwork.orchestrator.testing.Harness;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills (SIGKILL) an orchestrator process with 100 runs in flight, then starts a new orchestrator
 * on the same H2 file: every run reaches a terminal state, none is lost, no step that had completed
 * runs again, and every run's event sequence is gap-free.
 */
class CrashRecoveryTest {

  private static final int RUNS = 100;

  @TempDir Path dataDir;

  @Test
  void kill9_with100RunsInFlight_everyRunFinishesWithoutRepeatingCompletedSteps() throws Exception {
    Process child =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                CrashChild.class.getName(),
                dataDir.toString(),
                Integer.toString(RUNS))
            .redirectErrorStream(true)
            .start();
    AtomicInteger done = new AtomicInteger();
    AtomicBoolean started = new AtomicBoolean();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader out =
                  new BufferedReader(
                      new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                  if (line.equals("STARTED")) {
                    started.set(true);
                  } else if (line.startsWith("DONE ")) {
                    done.incrementAndGet();
                  }
                }
              } catch (IOException e) {
                // The child was killed.
              }
            });
    reader.setDaemon(true);
    reader.start();
    try {
      // Every StartRun acknowledged and about half of the calls answered: kill mid-flight.
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> started.get() && done.get() >= RUNS * 3 / 2);
    } finally {
      child.destroyForcibly();
      child.waitFor();
    }

    Set<String> completedBefore = new HashSet<>();
    try (H2RunStore store = H2RunStore.openFile(dataDir)) {
      List<Run> all = store.list(RunFilter.ALL, 1000, "").items();
      assertThat(all).as("every acknowledged run is stored").hasSize(RUNS);
      assertThat(all)
          .as("the kill came mid-flight")
          .anyMatch(r -> !RunStates.isTerminal(r.getState()));
      for (Run run : all) {
        for (StepRun step : run.getStepsList()) {
          if (step.getState() == StepState.STEP_STATE_COMPLETED) {
            completedBefore.add(run.getRunId() + "/" + step.getStepId());
          }
        }
      }
    }

    try (Harness recovered =
        new Harness(EngineConfig.builder().build(), H2RunStore.openFile(dataDir), 1024)) {
      List<Run> all = recovered.store.list(RunFilter.ALL, 1000, "").items();
      for (Run run : all) {
        recovered.awaitState(run.getRunId(), RunState.RUN_STATE_COMPLETED);
        recovered.events(run.getRunId()); // no gaps, no duplicates
      }
      List<String> rerun =
          recovered.agents.calls().stream()
              .map(c -> c.call.idempotencyKey())
              .filter(completedBefore::contains)
              .toList();
      assertThat(rerun).as("completed steps run again").isEmpty();
      assertThat(recovered.agents.calls())
          .extracting(FakeAgents.Call::cancelled)
          .containsOnly(false);
    }
  }
}
