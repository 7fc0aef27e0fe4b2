package dev.meshwork.agent.testing;

import dev.meshwork.agent.MeshAgent;
import dev.meshwork.agent.Parts;
import dev.meshwork.agent.SkillSpec;
import dev.meshwork.core.Settings;
import java.time.Duration;
import java.util.List;

/**
 * An agent process for mesh tests: agent {@code text} serving {@code text.keywords}, answering
 * with its {@code --tag} after {@code --work} of simulated work; {@code --utilization} fixes the
 * load it reports. Prints {@code READY <port>} on stdout once serving.
 */
public final class LoadTestAgent {

  private LoadTestAgent() {}

  /** Runs until SIGTERM (graceful) or SIGKILL. */
  public static void main(String[] args) {
    Settings settings = Settings.fromArgs(args);
    String tag = settings.string("tag", "untagged");
    Duration work =
        settings.duration("work", Duration.ZERO, Duration.ZERO, Duration.ofMinutes(1));
    String utilization = settings.string("utilization", "");
    MeshAgent.Builder builder =
        MeshAgent.builder()
            .name("text")
            .version("test")
            .skill(
                SkillSpec.of("text.keywords", "Answers with the instance's tag"),
                (ctx, input) -> {
                  if (!work.isZero()) {
                    Thread.sleep(work.toMillis());
                  }
                  return List.of(Parts.text(tag));
                })
            .port(0)
            .settings(settings);
    if (!utilization.isEmpty()) {
      double fixed = Double.parseDouble(utilization);
      builder.utilization(() -> fixed);
    }
    // Signals handled before READY: a test may send SIGTERM as soon as it reads the line.
    MeshAgent agent = builder.start().handleSignals();
    System.out.println("READY " + agent.port());
    System.out.flush();
    agent.serveUntilShutdown();
  }
}
