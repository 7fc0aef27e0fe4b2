package dev.meshwork.agents.data;

import dev.meshwork.agent.MeshAgent;
import dev.meshwork.agents.data.internal.DataSkills;
import dev.meshwork.core.Settings;

/**
 * The data agent ({@code agent/data}, default port 7102): statistics of CSV/JSON tables and
 * validation against a JSON Schema subset. Settings: see {@link MeshAgent}.
 */
public final class DataAgentMain {

  private DataAgentMain() {}

  /** Runs the agent until SIGTERM. */
  public static void main(String[] args) {
    MeshAgent.Builder agent =
        MeshAgent.builder()
            .name("data")
            .version("1.0.0")
            .description("Data analysis: table statistics, JSON Schema validation.")
            .label("tier", "sample")
            .port(7102)
            .settings(Settings.fromArgs(args));
    DataSkills.addTo(agent).run();
  }
}
