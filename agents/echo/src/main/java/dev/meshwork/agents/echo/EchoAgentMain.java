package dev.meshwork.agents.echo;

import dev.meshwork.agent.MeshAgent;
import dev.meshwork.agents.echo.internal.EchoSkills;
import dev.meshwork.core.Settings;

/**
 * The Java echo agent ({@code agent/java-echo}, default port 7023): the Java member of the
 * cross-language conformance suite, serving the same skill profile as py-echo and go-echo ({@code
 * java.echo}, {@code java.slow}). Settings: see {@link MeshAgent}.
 */
public final class EchoAgentMain {

  /** The agent's name; its identity is {@code agent/java-echo}. */
  public static final String NAME = "java-echo";

  /** The port when neither {@code --port} nor {@code MESHWORK_PORT} is given. */
  public static final int DEFAULT_PORT = 7023;

  private EchoAgentMain() {}

  /** Runs the agent until SIGTERM. */
  public static void main(String[] args) {
    EchoSkills.addTo(builder().settings(Settings.fromArgs(args))).run();
  }

  /** The agent without its skills or settings: name, version, card labels, default port. */
  public static MeshAgent.Builder builder() {
    return MeshAgent.builder()
        .name(NAME)
        .version("0.1.0")
        .description("Sample Java agent: echo and a slow streaming task.")
        .label("language", "java")
        .port(DEFAULT_PORT);
  }
}
