package dev.meshwork.agents.llm;

import dev.meshwork.agent.MeshAgent;
import dev.meshwork.agents.llm.internal.ChatCompletionsClient;
import dev.meshwork.agents.llm.internal.LlmSkills;
import dev.meshwork.core.ConfigException;
import dev.meshwork.core.Settings;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * The LLM agent ({@code agent/llm}, default port 7104): {@code llm.chat} through any
 * OpenAI-compatible chat-completions endpoint (see {@link LlmConfig}). Without {@code
 * MESHWORK_LLM_URL} it serves (healthy, so launchers and supervisors see it up) but does not
 * register: a mesh without a model simply has no {@code llm.chat} skill.
 */
public final class LlmAgentMain {

  private static final Logger LOG = Logger.getLogger(LlmAgentMain.class.getName());

  private LlmAgentMain() {}

  /** Runs the agent until SIGTERM. */
  public static void main(String[] args) {
    Settings settings = Settings.fromArgs(args);
    Optional<LlmConfig> config;
    try {
      config = LlmConfig.fromSettings(settings);
    } catch (ConfigException e) {
      System.err.println("llm: " + e.getMessage());
      System.exit(2);
      return;
    }
    MeshAgent.Builder agent =
        MeshAgent.builder().name("llm").version("1.0.0").label("tier", "sample").port(7104)
            .settings(settings);
    if (config.isEmpty()) {
      LOG.warning("MESHWORK_LLM_URL is not set: serving without registering, so the mesh has no"
          + " llm.chat (set MESHWORK_LLM_URL, MESHWORK_LLM_MODEL and optionally MESHWORK_LLM_KEY)");
      LlmSkills.unconfigured(agent.registry("none")).run();
      return;
    }
    agent.description("Chat with a language model (" + config.get().model() + ").");
    new LlmSkills(new ChatCompletionsClient(config.get()), config.get().timeout())
        .addTo(agent).run();
  }
}
