package dev.meshwork.agents.llm.internal;

import static java.util.Objects.requireNonNull;

import dev.meshwork.agent.Json;
import dev.meshwork.agents.llm.LlmConfig;
import dev.meshwork.core.ErrorCode;
import dev.meshwork.core.MeshException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Calls {@code POST /v1/chat/completions} of an OpenAI-compatible server and maps its failures to
 * {@link MeshException}s a caller can act on: 429 and 503 become RESOURCE_EXHAUSTED or UNAVAILABLE
 * (retryable), other 5xx and connection failures UNAVAILABLE, 401/403 FAILED_PRECONDITION (the
 * agent's key is wrong, not the caller's input), 400 INVALID_ARGUMENT with the server's message.
 */
public final class ChatCompletionsClient {

  private final LlmConfig config;
  private final HttpClient http;

  /** A client for {@code config}'s endpoint. */
  public ChatCompletionsClient(LlmConfig config) {
    this.config = requireNonNull(config, "config");
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(10))
            .version(HttpClient.Version.HTTP_1_1)
            .build();
  }

  /** The configured model. */
  public String model() {
    return config.model();
  }

  /**
   * Asks for a completion of {@code messages} within {@code timeout}.
   *
   * @param options extra request fields ({@code temperature}, {@code max_tokens})
   * @throws MeshException for any failure, never carrying the API key
   * @throws InterruptedException when the calling thread is interrupted (the call is cancelled)
   */
  public Completion complete(List<ChatMessage> messages, Map<String, Object> options,
      Duration timeout) throws InterruptedException {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("model", config.model());
    List<Object> jsonMessages = new ArrayList<>();
    messages.forEach(m -> jsonMessages.add(m.toJson()));
    body.put("messages", jsonMessages);
    body.put("stream", false);
    body.putAll(options);
    HttpRequest.Builder request =
        HttpRequest.newBuilder(config.endpoint())
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .header("Accept", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(Json.writeCompact(body)));
    config.apiKey().ifPresent(key -> request.header("Authorization", "Bearer " + key));
    CompletableFuture<HttpResponse<String>> pending =
        http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> response;
    try {
      response = pending.get();
    } catch (InterruptedException e) {
      pending.cancel(true); // the caller went away: stop the upstream request too
      throw e;
    } catch (ExecutionException e) {
      throw transportFailure(e.getCause());
    }
    return parse(response);
  }

  private Completion parse(HttpResponse<String> response) {
    int status = response.statusCode();
    if (status / 100 != 2) {
      throw httpFailure(status, upstreamMessage(response.body()),
          response.headers().firstValue("retry-after"));
    }
    Object json;
    try {
      json = Json.parse(response.body());
    } catch (IllegalArgumentException e) {
      throw badResponse("not JSON");
    }
    if (!(json instanceof Map<?, ?> root)
        || !(root.get("choices") instanceof List<?> choices)
        || choices.isEmpty()
        || !(choices.get(0) instanceof Map<?, ?> choice)
        || !(choice.get("message") instanceof Map<?, ?> message)
        || !(message.get("content") instanceof String content)) {
      throw badResponse("no choices[0].message.content");
    }
    Map<String, Object> usage = new LinkedHashMap<>();
    if (root.get("usage") instanceof Map<?, ?> u) {
      u.forEach((k, v) -> usage.put(String.valueOf(k), v));
    }
    return new Completion(
        content,
        root.get("model") instanceof String m ? m : config.model(),
        choice.get("finish_reason") instanceof String f ? f : "",
        usage);
  }

  private MeshException httpFailure(int status, String message, Optional<String> retryAfter) {
    String what =
        "LLM endpoint answered HTTP " + status + (message.isEmpty() ? "" : ": " + message);
    if (status == 429) {
      return MeshException.resourceExhausted(
          "LLM_RATE_LIMITED", what, Duration.ofSeconds(parseSeconds(retryAfter).orElse(1L)));
    }
    if (status == 401 || status == 403) {
      return MeshException.of(
          ErrorCode.FAILED_PRECONDITION, "LLM_UNAUTHORIZED",
          "LLM endpoint rejected the agent's credentials (HTTP " + status
              + "); check MESHWORK_LLM_KEY");
    }
    if (status == 400 || status == 422) {
      return MeshException.invalidArgument("input", what);
    }
    if (status == 404) {
      return MeshException.of(ErrorCode.FAILED_PRECONDITION, "LLM_NOT_FOUND",
          what + " (check MESHWORK_LLM_URL and MESHWORK_LLM_MODEL)");
    }
    if (status / 100 == 5) {
      return MeshException.of(ErrorCode.UNAVAILABLE, "LLM_UNAVAILABLE", what);
    }
    return MeshException.of(ErrorCode.INTERNAL, "LLM_FAILED", what);
  }

  private MeshException transportFailure(Throwable cause) {
    if (cause instanceof HttpTimeoutException) {
      return MeshException.of(ErrorCode.DEADLINE_EXCEEDED, "LLM_TIMEOUT",
          "LLM endpoint did not answer in time");
    }
    if (cause instanceof ConnectException) {
      return MeshException.of(ErrorCode.UNAVAILABLE, "LLM_UNAVAILABLE",
          "LLM endpoint " + config.endpoint().getHost() + ":" + config.endpoint().getPort()
              + " refused the connection");
    }
    if (cause instanceof IOException) {
      return MeshException.of(ErrorCode.UNAVAILABLE, "LLM_UNAVAILABLE",
          "LLM endpoint failed: " + cause.getMessage());
    }
    return MeshException.of(ErrorCode.INTERNAL, "LLM_FAILED", "LLM call failed", cause);
  }

  private static MeshException badResponse(String what) {
    return MeshException.of(ErrorCode.UNAVAILABLE, "LLM_BAD_RESPONSE",
        "LLM endpoint sent an unusable response: " + what);
  }

  /** The {@code error.message} of an OpenAI-style error body, else a short prefix of it. */
  private static String upstreamMessage(String body) {
    try {
      if (Json.parse(body) instanceof Map<?, ?> root
          && root.get("error") instanceof Map<?, ?> error
          && error.get("message") instanceof String message) {
        return message;
      }
    } catch (IllegalArgumentException notJson) {
      // Fall through to the raw text.
    }
    String text = body.strip();
    return text.length() > 200 ? text.substring(0, 200) + "..." : text;
  }

  private static Optional<Long> parseSeconds(Optional<String> header) {
    try {
      return header.map(h -> Long.parseLong(h.strip()));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
