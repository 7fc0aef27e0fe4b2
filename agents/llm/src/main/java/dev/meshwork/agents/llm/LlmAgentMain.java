package dev.meshwork.agents.llm;

import dev.meshwork.agent.MeshAgent;
import dev.meshwork.agents.llm.internal.ChatCompletionsClient;
import dev.meshwork.agents.llm.internal.LlmSkills;
import dev.meshwork.core.ConfigException;
import dev.meshwork.core.Settings;
import java.util.Optional;

/**
 * The LLM agent ({@code agent/llm}, default port 7104): {@code llm.chat} through any
 * OpenAI-compatible chat-completions endpoint (see {@link LlmConfig}). Without {@code
 * MESHWORK_LLM_URL} it does not start, so that a mesh without a model simply has no {@code
 * llm.chat} skill.
 */
public final class LlmAgentMain {

  private LlmAgentMain() {}

  /** Runs the agent until SIGTERM, or exits at once when no endpoint is configured. */
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
    if (config.isEmpty()) {
      System.err.println("llm: MESHWORK_LLM_URL is not set; not starting (set it, with"
          + " MESHWORK_LLM_MODEL and optionally MESHWORK_LLM_KEY, to serve llm.chat)");
      return;
    }
    MeshAgent.Builder agent =
        MeshAgent.builder().name("llm").version("1.0.0")
            .description("Chat with a language model (" + config.get().model() + ").")
            .label("tier", "sample").port(7104).settings(settings);
    new LlmSkills(new ChatCompletionsClient(config.get()), config.get().timeout())
        .addTo(agent).run();
  }
}
