package dev.meshwork.bench;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * How the gateway scenario's HTTP requests go out: the JDK's {@code java.net.http} client or
 * Armeria's (Netty) client. {@link GatewayClient} speaks the gateway's API over either.
 */
interface HttpTransport extends AutoCloseable {

  /**
   * One request.
   *
   * @param method {@code GET} or {@code POST}
   * @param path the path and query, from the gateway's base
   * @param headers sent as given
   * @param body the body (empty: none)
   */
  record Request(String method, String path, Map<String, String> headers, String body) {

    public Request {
      requireNonNull(method, "method");
      requireNonNull(path, "path");
      headers = Map.copyOf(headers);
      requireNonNull(body, "body");
    }
  }

  /**
   * A whole answer.
   *
   * @param status the HTTP status
   * @param body the body as text, empty when it was discarded
   */
  record Response(int status, String body) {}

  /** Where a streamed answer goes, in this order: the status, its lines (200 only), the end. */
  interface Lines {

    /** The response status, once. */
    void status(int status);

    /** One line of a 200 answer, without its line break. */
    void line(String line);

    /** The end of the answer: {@code failure} is null when it ended normally. */
    void end(Throwable failure);
  }

  /** Sends {@code request}; the answer's body is kept only when {@code keepBody}. */
  CompletableFuture<Response> send(Request request, boolean keepBody);

  /** Sends {@code request} and hands its answer to {@code lines} as it arrives. */
  void stream(Request request, Lines lines);

  /** Releases the client's connections and threads. */
  @Override
  void close();
}
