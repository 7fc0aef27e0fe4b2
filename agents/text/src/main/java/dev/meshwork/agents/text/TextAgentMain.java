package dev.meshwork.agents.text;

import dev.meshwork.agent.MeshAgent;
import dev.meshwork.agents.text.internal.TextSkills;
import dev.meshwork.core.Settings;

/**
 * The text agent ({@code agent/text}, default port 7101): keywords, extractive summary and
 * lexicon sentiment, deterministic and self-contained. Settings: see {@link MeshAgent}.
 */
public final class TextAgentMain {

  private TextAgentMain() {}

  /** Runs the agent until SIGTERM. */
  public static void main(String[] args) {
    MeshAgent.Builder agent =
        MeshAgent.builder()
            .name("text")
            .version("1.0.0")
            .description("Text analysis: keywords, extractive summaries, sentiment.")
            .label("tier", "sample")
            .port(7101)
            .settings(Settings.fromArgs(args));
    TextSkills.addTo(agent).run();
  }
}
