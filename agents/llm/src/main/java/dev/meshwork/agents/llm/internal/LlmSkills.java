package dev.meshwork.agents.llm.internal;

import static java.util.Objects.requireNonNull;

import dev.meshwork.agent.MeshAgent;
import dev.meshwork.agent.Parts;
import dev.meshwork.agent.SkillContext;
import dev.meshwork.agent.SkillSpec;
import dev.meshwork.agent.SkillStream;
import dev.meshwork.api.common.v1.Part;
import dev.meshwork.core.ErrorCode;
import dev.meshwork.core.MeshException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The LLM agent's skill: a chat turn through the configured chat-completions endpoint. */
public final class LlmSkills {

  private final ChatCompletionsClient client;
  private final Duration maxTimeout;

  /** Skills calling {@code client}, each call bounded by {@code maxTimeout}. */
  public LlmSkills(ChatCompletionsClient client, Duration maxTimeout) {
    this.client = requireNonNull(client, "client");
    this.maxTimeout = requireNonNull(maxTimeout, "maxTimeout");
  }

  /** Adds the skill to an agent. */
  public MeshAgent.Builder addTo(MeshAgent.Builder agent) {
    return agent.streamingSkill(
        SkillSpec.builder("llm.chat")
            .name("Chat")
            .description("One chat turn with model '" + client.model() + "'. Input: text parts"
                + " (the user message), optionally a data part {\"system\": \"...\","
                + " \"messages\": [{\"role\": \"user\", \"content\": \"...\"}],"
                + " \"temperature\": 0.2, \"max_tokens\": 512}. Output: the answer as text and"
                + " {model, finish_reason, usage} as data.")
            .tags("llm", "chat")
            .inputModes("text/plain", "application/json")
            .outputModes("text/plain", "application/json")
            .examples("Summarize the benefits of client-side load balancing in two sentences.")
            .build(),
        this::chat);
  }

  /**
   * Adds an {@code llm.chat} that explains it is not configured: for an agent that serves without
   * an endpoint (and without registering).
   */
  public static MeshAgent.Builder unconfigured(MeshAgent.Builder agent) {
    return agent
        .description("Chat with a language model (not configured).")
        .skill(
            SkillSpec.builder("llm.chat").name("Chat")
                .description("Not configured: set MESHWORK_LLM_URL and MESHWORK_LLM_MODEL.")
                .build(),
            (ctx, input) -> {
              throw MeshException.of(ErrorCode.FAILED_PRECONDITION, "LLM_NOT_CONFIGURED",
                  "the llm agent has no endpoint: set MESHWORK_LLM_URL and MESHWORK_LLM_MODEL");
            });
  }

  /** The {@code llm.chat} handler. */
  public List<Part> chat(SkillContext context, List<Part> input, SkillStream stream)
      throws InterruptedException {
    List<ChatMessage> messages = new ArrayList<>();
    Map<String, Object> options = new LinkedHashMap<>();
    Map<String, Object> data = Parts.firstData(input).orElse(Map.of());
    if (data.get("system") instanceof String system) {
      messages.add(new ChatMessage("system", system));
    }
    if (data.containsKey("messages")) {
      messages.addAll(messagesOf(data.get("messages")));
    }
    String text = Parts.allText(input);
    if (!text.isBlank()) {
      messages.add(new ChatMessage("user", text));
    }
    if (messages.stream().noneMatch(m -> m.role().equals("user"))) {
      throw MeshException.invalidArgument(
          "input", "no user message (expected: a text part, or \"messages\" in a data part)");
    }
    copyNumber(data, "temperature", 0, 2, options);
    copyNumber(data, "max_tokens", 1, 1_000_000, options);
    Duration timeout =
        context.timeRemaining().filter(left -> left.compareTo(maxTimeout) < 0).orElse(maxTimeout);
    if (timeout.isNegative() || timeout.isZero()) {
      context.throwIfCancelled();
      timeout = Duration.ofMillis(1);
    }
    stream.status("asking " + client.model());
    Completion completion = client.complete(messages, options, timeout);
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("model", completion.model());
    details.put("finish_reason", completion.finishReason());
    details.put("usage", completion.usage());
    return List.of(Parts.text(completion.content()), Parts.data(details));
  }

  private static List<ChatMessage> messagesOf(Object value) {
    if (!(value instanceof List<?> list)) {
      throw MeshException.invalidArgument("input.data.messages", "not a list (expected: a list"
          + " of {\"role\", \"content\"})");
    }
    List<ChatMessage> messages = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      String field = "input.data.messages[" + i + "]";
      if (!(list.get(i) instanceof Map<?, ?> m)
          || !(m.get("role") instanceof String role)
          || !(m.get("content") instanceof String content)) {
        throw MeshException.invalidArgument(field, "expected: {\"role\": ..., \"content\": ...}");
      }
      try {
        messages.add(new ChatMessage(role, content));
      } catch (IllegalArgumentException e) {
        throw MeshException.invalidArgument(field, e.getMessage());
      }
    }
    return messages;
  }

  private static void copyNumber(Map<String, Object> data, String name, double min, double max,
      Map<String, Object> options) {
    Object value = data.get(name);
    if (value == null) {
      return;
    }
    if (!(value instanceof Double d) || d < min || d > max) {
      throw MeshException.invalidArgument(
          "input.data." + name, value + " (expected: a number " + (long) min + ".." + (long) max
              + ")");
    }
    options.put(name, name.equals("max_tokens") ? (Object) d.longValue() : d);
  }
}
