package dev.meshwork.agents.llm;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.meshwork.agent.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A local HTTP server speaking the OpenAI chat-completions protocol: it answers {@code POST
 * /v1/chat/completions} with "echo: " and the last user message, and records each request.
 * Tests switch it to errors or slowness.
 */
final class FakeChatServer implements AutoCloseable {

  /** One received request. */
  record Request(String authorization, Map<String, Object> body) {}

  private final HttpServer server;
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private volatile int status = 200;
  private volatile String errorBody = "";
  private volatile String retryAfter;
  private volatile Duration delay = Duration.ZERO;

  FakeChatServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/v1/chat/completions", this::handle);
    server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    server.start();
  }

  /** The base URL, as MESHWORK_LLM_URL would hold it. */
  String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  List<Request> requests() {
    return List.copyOf(requests);
  }

  /** Answers every request with {@code status} and {@code body} (and a Retry-After if given). */
  void failWith(int status, String body, String retryAfter) {
    this.status = status;
    this.errorBody = body;
    this.retryAfter = retryAfter;
  }

  void delay(Duration delay) {
    this.delay = delay;
  }

  @Override
  public void close() {
    server.stop(0);
  }

  @SuppressWarnings("unchecked") // the request's JSON structure
  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String raw = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      Map<String, Object> body = (Map<String, Object>) Json.parse(raw);
      requests.add(new Request(exchange.getRequestHeaders().getFirst("Authorization"), body));
      if (!delay.isZero()) {
        try {
          Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
      if (status != 200) {
        if (retryAfter != null) {
          exchange.getResponseHeaders().add("Retry-After", retryAfter);
        }
        send(exchange, status, errorBody);
        return;
      }
      List<Map<String, Object>> messages = (List<Map<String, Object>>) body.get("messages");
      String lastUser =
          messages.stream().filter(m -> "user".equals(m.get("role")))
              .reduce((a, b) -> b).map(m -> (String) m.get("content")).orElse("");
      Map<String, Object> response =
          Map.of(
              "id", "chatcmpl-1",
              "object", "chat.completion",
              "model", body.get("model") + "-2025",
              "choices",
                  List.of(
                      Map.of(
                          "index", 0,
                          "message", Map.of("role", "assistant", "content", "echo: " + lastUser),
                          "finish_reason", "stop")),
              "usage", Map.of("prompt_tokens", 7, "completion_tokens", 3, "total_tokens", 10));
      send(exchange, 200, Json.writeCompact(response));
    }
  }

  private static void send(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }
}
