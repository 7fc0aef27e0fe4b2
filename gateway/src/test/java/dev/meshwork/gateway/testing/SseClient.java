package dev.meshwork.gateway.testing;

import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpHeaders;
import com.linecorp.armeria.common.HttpObject;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.common.ResponseHeaders;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * A test client of an event stream: parses the SSE wire format as it arrives, hands events out one
 * at a time, and can drop the connection mid-stream ({@link #close()}) the way a browser tab that
 * goes away does.
 */
public final class SseClient implements AutoCloseable {

  /**
   * One event.
   *
   * @param id its id, null when none
   * @param type its name, {@code message} when none
   * @param data its data lines joined with newlines
   */
  public record Event(String id, String type, String data) {}

  private final HttpResponse response;
  private final CompletableFuture<ResponseHeaders> headers = new CompletableFuture<>();
  private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
  private final List<String> comments = new ArrayList<>();
  private final CompletableFuture<Void> done = new CompletableFuture<>();
  private final StringBuilder pending = new StringBuilder();
  private final StringBuilder body = new StringBuilder();

  private SseClient(HttpResponse response) {
    this.response = response;
    response.subscribe(new Reader());
  }

  /** Opens {@code headers} on {@code client}. */
  public static SseClient open(WebClient client, RequestHeaders headers) {
    return new SseClient(client.execute(headers));
  }

  /** Opens {@code headers} with {@code body} on {@code client} (a streaming POST). */
  public static SseClient open(WebClient client, RequestHeaders headers, String body) {
    return new SseClient(client.execute(headers, body));
  }

  /** The response headers, once they came. */
  public ResponseHeaders headers() throws Exception {
    return headers.get(10, TimeUnit.SECONDS);
  }

  /** The next event; fails when none comes within 10 s. */
  public Event next() throws InterruptedException {
    Event event = events.poll(10, TimeUnit.SECONDS);
    if (event == null) {
      throw new AssertionError("no event within 10s; comments so far: " + comments());
    }
    return event;
  }

  /** The next {@code n} events. */
  public List<Event> next(int n) throws InterruptedException {
    List<Event> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(next());
    }
    return out;
  }

  /** The next event if one comes within {@code wait}, else null. */
  public Event poll(Duration wait) throws InterruptedException {
    return events.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The comment lines received so far. */
  public synchronized List<String> comments() {
    return List.copyOf(comments);
  }

  /** Whether the server ended the response. */
  public boolean ended() {
    return done.isDone();
  }

  /** The raw body received so far (for non-stream error responses). */
  public synchronized String body() {
    return body.toString();
  }

  /** Waits for the server to end the response. */
  public void awaitEnd() throws Exception {
    done.handle((v, t) -> null).get(10, TimeUnit.SECONDS);
  }

  /** Drops the connection (a client going away). */
  @Override
  public void close() {
    response.abort();
  }

  private synchronized void onText(String text) {
    body.append(text);
    pending.append(text);
    int end;
    while ((end = pending.indexOf("\n\n")) >= 0) {
      String block = pending.substring(0, end);
      pending.delete(0, end + 2);
      parse(block);
    }
  }

  private void parse(String block) {
    String id = null;
    String type = "message";
    List<String> data = new ArrayList<>();
    for (String line : block.split("\n")) {
      if (line.startsWith(":")) {
        comments.add(line.substring(1).trim());
      } else if (line.startsWith("id: ")) {
        id = line.substring(4);
      } else if (line.startsWith("event: ")) {
        type = line.substring(7);
      } else if (line.startsWith("data: ")) {
        data.add(line.substring(6));
      }
    }
    if (!data.isEmpty()) {
      events.add(new Event(id, type, String.join("\n", data)));
    }
  }

  private final class Reader implements Subscriber<HttpObject> {
    @Override
    public void onSubscribe(Subscription s) {
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(HttpObject object) {
      if (object instanceof ResponseHeaders h) {
        if (!h.status().isInformational()) {
          headers.complete(h);
        }
      } else if (object instanceof HttpData data) {
        onText(data.toStringUtf8());
      } else if (object instanceof HttpHeaders) {
        // Trailers: nothing to read.
      }
    }

    @Override
    public void onError(Throwable t) {
      headers.completeExceptionally(t);
      done.completeExceptionally(t);
    }

    @Override
    public void onComplete() {
      done.complete(null);
    }
  }
}
