package dev.meshwork.agents.report;

import dev.meshwork.agent.MeshAgent;
import dev.meshwork.agents.report.internal.ReportSkills;
import dev.meshwork.core.Settings;

/**
 * The report agent ({@code agent/report}, default port 7103): renders earlier skill outputs as a
 * Markdown report. Settings: see {@link MeshAgent}.
 */
public final class ReportAgentMain {

  private ReportAgentMain() {}

  /** Runs the agent until SIGTERM. */
  public static void main(String[] args) {
    MeshAgent.Builder agent =
        MeshAgent.builder()
            .name("report")
            .version("1.0.0")
            .description("Reports: renders earlier outputs as Markdown.")
            .label("tier", "sample")
            .port(7103)
            .settings(Settings.fromArgs(args));
    ReportSkills.addTo(agent).run();
  }
}
