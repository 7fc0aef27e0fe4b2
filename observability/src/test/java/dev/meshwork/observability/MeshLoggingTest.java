package dev.meshwork.observability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshwork.observability.internal.ConsoleLogHandler;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MeshLoggingTest {

  private final Logger root = LogManager.getLogManager().getLogger("");
  private Handler[] savedHandlers;
  private Level savedLevel;

  @BeforeEach
  void saveRoot() {
    savedHandlers = root.getHandlers();
    savedLevel = root.getLevel();
  }

  @AfterEach
  void restoreRoot() {
    for (Handler handler : root.getHandlers()) {
      root.removeHandler(handler);
    }
    for (Handler handler : savedHandlers) {
      root.addHandler(handler);
    }
    root.setLevel(savedLevel);
  }

  @Test
  void install_replacesRootHandlersWithOneLineHandler() {
    MeshLogging.install("registry", Level.FINE);

    assertThat(List.of(root.getHandlers())).singleElement().isInstanceOf(ConsoleLogHandler.class);
    assertThat(root.getLevel()).isEqualTo(Level.FINE);
  }

  @Test
  void currentRunId_outsideAnyScope_isEmpty() {
    assertThat(MeshLogging.currentRunId()).isEmpty();
  }

  @Test
  @SuppressWarnings("try")
  void runIdScope_closed_restoresPreviousRunId() {
    try (Scope outer = MeshLogging.runIdScope("run-1")) {
      try (Scope inner = MeshLogging.runIdScope("run-2")) {
        assertThat(MeshLogging.currentRunId()).contains("run-2");
      }
      assertThat(MeshLogging.currentRunId()).contains("run-1");
    }
    assertThat(MeshLogging.currentRunId()).isEmpty();
  }

  @Test
  void withRunId_supplier_returnsValueComputedInsideScope() {
    String seen = MeshLogging.withRunId("run-3", () -> MeshLogging.currentRunId().orElseThrow());

    assertThat(seen).isEqualTo("run-3");
  }

  @Test
  void withRunId_contextWrappedExecutor_carriesRunIdToOtherThread() throws Exception {
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      ExecutorService wrapped = Context.taskWrapping(pool);
      CompletableFuture<String> seen =
          MeshLogging.withRunId(
              "run-4",
              () ->
                  CompletableFuture.supplyAsync(
                      () -> MeshLogging.currentRunId().orElse("none"), wrapped));

      assertThat(seen.get()).isEqualTo("run-4");
    } finally {
      pool.shutdownNow();
    }
  }
}
