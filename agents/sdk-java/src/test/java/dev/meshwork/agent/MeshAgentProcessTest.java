package dev.meshwork.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshwork.agent.testing.AgentProcess;
import dev.meshwork.agent.testing.LoadTestAgent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** An agent main run as its own process, stopped the way launchers and supervisors stop it. */
class MeshAgentProcessTest {

  @Test
  void serveUntilShutdown_sigterm_drainsAndExitsZero() throws Exception {
    try (AgentProcess agent =
        AgentProcess.start(
            LoadTestAgent.class,
            Path.of("target", "agent-logs", "sigterm-exit.log"),
            List.of("--insecure", "--registry", "none", "--drain-delay", "0ms"))) {
      agent.terminate();

      assertThat(agent.awaitExit(Duration.ofSeconds(20))).isTrue();
      assertThat(agent.exitCode()).isZero();
    }
  }
}
