package dev.meshwork.agents.llm;

import static java.util.Objects.requireNonNull;

import dev.meshwork.core.ConfigException;
import dev.meshwork.core.Settings;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * Where the LLM agent sends chats: an OpenAI-compatible chat-completions endpoint.
 *
 * <p>Settings (flag / environment variable, default):
 *
 * <ul>
 *   <li>{@code --llm-url} / {@code MESHWORK_LLM_URL}: the server's base URL ({@code
 *       http://localhost:11434} for Ollama, {@code https://api.openai.com/v1}) or the full {@code
 *       .../v1/chat/completions} URL. Unset: the agent stays off.
 *   <li>{@code --llm-model} / {@code MESHWORK_LLM_MODEL}: the model name; required with a URL.
 *   <li>{@code --llm-key} / {@code MESHWORK_LLM_KEY}: the API key, sent as a bearer token; never
 *       logged.
 *   <li>{@code --llm-timeout} / {@code MESHWORK_LLM_TIMEOUT}, 120s: the longest a completion may
 *       take (a shorter caller deadline wins).
 * </ul>
 *
 * @param endpoint the chat-completions URL
 * @param model the model name
 * @param apiKey the API key, if any
 * @param timeout the longest a completion may take
 */
public record LlmConfig(URI endpoint, String model, Optional<String> apiKey, Duration timeout) {

  /** Validates the parts. */
  public LlmConfig {
    requireNonNull(endpoint, "endpoint");
    requireNonNull(model, "model");
    requireNonNull(apiKey, "apiKey");
    requireNonNull(timeout, "timeout");
    if (model.isBlank()) {
      throw new IllegalArgumentException("model: '' (expected: a model name)");
    }
  }

  /**
   * Reads the settings; empty when no URL is configured.
   *
   * @throws ConfigException for a malformed URL or a URL without a model
   */
  public static Optional<LlmConfig> fromSettings(Settings settings) {
    Optional<String> url = settings.raw("llm-url");
    Optional<String> model = settings.raw("llm-model");
    Optional<String> key = settings.raw("llm-key");
    Duration timeout =
        settings.duration("llm-timeout", Duration.ofSeconds(120), Duration.ofSeconds(1),
            Duration.ofMinutes(30));
    if (url.isEmpty()) {
      return Optional.empty();
    }
    if (model.isEmpty()) {
      throw new ConfigException(
          "--llm-model / MESHWORK_LLM_MODEL: not set (expected: the model to use, for example"
              + " llama3.2 or gpt-4o-mini)");
    }
    return Optional.of(new LlmConfig(chatCompletionsUri(url.get()), model.get(), key, timeout));
  }

  /**
   * The chat-completions URL for a base or full URL: {@code http://h:11434} and {@code
   * http://h:11434/v1} both become {@code http://h:11434/v1/chat/completions}.
   *
   * @throws ConfigException for a URL that is not http(s)
   */
  public static URI chatCompletionsUri(String url) {
    URI uri;
    try {
      uri = URI.create(url.strip());
    } catch (IllegalArgumentException e) {
      throw badUrl(url);
    }
    if (uri.getScheme() == null || !uri.getScheme().matches("https?") || uri.getHost() == null) {
      throw badUrl(url);
    }
    String path = uri.getPath() == null ? "" : uri.getPath().replaceAll("/+$", "");
    if (path.endsWith("/chat/completions")) {
      return uri;
    }
    if (!path.endsWith("/v1")) {
      path = path + "/v1";
    }
    return uri.resolve(path + "/chat/completions");
  }

  private static ConfigException badUrl(String url) {
    return new ConfigException(
        "--llm-url / MESHWORK_LLM_URL: '" + url + "' (expected: an http(s) URL such as"
            + " http://localhost:11434 or https://api.openai.com/v1)");
  }
}
