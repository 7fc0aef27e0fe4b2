package dev.meshwork.bench;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.util.Timestamps;
import dev.meshwork.api.orchestrator.v1.RunEventType;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The HTTP side of the gateway scenario, asynchronous over an {@link HttpTransport} with an API
 * key: a run started with {@code POST /v1/runs} and followed over server-sent events from {@code
 * GET /v1/runs/{id}/events} until its terminal event (what {@link RunDriver} does over gRPC with
 * StartRun and WatchRun), or started and followed in one request ({@code POST /v1/runs:stream},
 * StartAndWatchRun), and {@code GET /v1/runs/{id}} (GetRun).
 */
final class GatewayClient {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String APPLICATION_JSON = "application/json";
  private static final String EVENT_STREAM = "text/event-stream";

  private final HttpTransport http;
  private final String authorization;

  /**
   * A client of the gateway {@code http} reaches.
   *
   * @param apiKey sent as {@code Authorization: Bearer <key>}
   */
  GatewayClient(HttpTransport http, String apiKey) {
    this.http = requireNonNull(http, "http");
    this.authorization = "Bearer " + requireNonNull(apiKey, "apiKey");
  }

  /**
   * Starts a run ({@code startRunJson} is a {@code StartRunRequest} in proto JSON) and follows its
   * events until the terminal one; {@code done} gets the outcome exactly once: {@code REJECTED} for
   * a 429, {@code FAILED} for any other error, a failed or cancelled run, or a stream that ends
   * without a terminal event. Its server time is the run's, from its create time to its terminal
   * event's time, as the orchestrator stamped them (0 when either is missing).
   */
  void run(String startRunJson, Consumer<RunDriver.Outcome> done) {
    long t0 = System.nanoTime();
    post(startRunJson, t0, run -> watch(run, t0, done), done);
  }

  /**
   * Starts a run and follows it in one request ({@code POST /v1/runs:stream}, the body as for
   * {@code POST /v1/runs}, the run's events as server-sent events); {@code done} as for {@link
   * #run}.
   */
  void runStream(String startRunJson, Consumer<RunDriver.Outcome> done) {
    long t0 = System.nanoTime();
    http.stream(
        request("POST", "/v1/runs:stream", startRunJson, EVENT_STREAM), new RunEvents(t0, 0, done));
  }

  private void post(
      String startRunJson, long t0, Consumer<JsonNode> started, Consumer<RunDriver.Outcome> done) {
    requireNonNull(done, "done");
    http.send(request("POST", "/v1/runs", startRunJson, APPLICATION_JSON), true)
        .whenComplete(
            (response, failure) -> {
              if (failure != null) {
                done.accept(failed(RunDriver.Kind.FAILED, t0));
              } else if (response.status() != 200) {
                done.accept(failed(refused(response.status()), t0));
              } else {
                try {
                  started.accept(startedRun(response.body()));
                } catch (IOException e) {
                  done.accept(failed(RunDriver.Kind.FAILED, t0));
                }
              }
            });
  }

  /** {@code GET /v1/runs/{runId}}; {@code done} gets whether it answered 200. */
  void getRun(String runId, OpenLoop.Done done) {
    get("/v1/runs/" + encode(runId), done);
  }

  /** {@code GET path}, body discarded; {@code done} gets whether it answered 200. */
  void get(String path, OpenLoop.Done done) {
    requireNonNull(done, "done");
    http.send(request("GET", path, "", APPLICATION_JSON), false)
        .whenComplete(
            (response, failure) -> done.done(failure == null && response.status() == 200));
  }

  private void watch(JsonNode run, long t0, Consumer<RunDriver.Outcome> done) {
    http.stream(
        request(
            "GET", "/v1/runs/" + encode(run.path("runId").asText()) + "/events", "", EVENT_STREAM),
        new RunEvents(t0, micros(run.path("createTime")), done));
  }

  private HttpTransport.Request request(String method, String path, String body, String accept) {
    Map<String, String> headers = new HashMap<>();
    headers.put("authorization", authorization);
    headers.put("accept", accept);
    if (!body.isEmpty()) {
      headers.put("content-type", APPLICATION_JSON);
    }
    return new HttpTransport.Request(method, path, headers, body);
  }

  /**
   * The run in a StartRun response, read as an HTTP client would, with a JSON parser; not with
   * protobuf's JsonFormat, which builds the whole message through a Gson tree and put its cost on
   * the gateway rows.
   */
  private static JsonNode startedRun(String startRunResponseJson) throws IOException {
    JsonNode run = JSON.readTree(startRunResponseJson).path("run");
    if (run.path("runId").asText("").isEmpty()) {
      throw new IOException("no run.runId in the StartRun response");
    }
    return run;
  }

  /** A proto JSON timestamp (RFC 3339) in microseconds since the epoch, 0 if absent or invalid. */
  static long micros(JsonNode timestamp) {
    try {
      return Timestamps.toMicros(Timestamps.parse(timestamp.asText("")));
    } catch (ParseException e) {
      return 0;
    }
  }

  private static long elapsed(long t0) {
    return System.nanoTime() - t0;
  }

  private static RunDriver.Outcome failed(RunDriver.Kind kind, long t0) {
    return new RunDriver.Outcome(kind, elapsed(t0), 0);
  }

  /** A 429 is REJECTED (overload), any other refusal FAILED. */
  private static RunDriver.Kind refused(int status) {
    return status == 429 ? RunDriver.Kind.REJECTED : RunDriver.Kind.FAILED;
  }

  private static String encode(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8);
  }

  /**
   * A run's event stream: reports the outcome once, at the first terminal event or at the end. The
   * run's create time comes from the StartRun response before the stream, or from the stream's
   * {@code started} event.
   */
  private static final class RunEvents implements HttpTransport.Lines {

    private final SseParser parser = new SseParser();
    private final long t0;
    private final Consumer<RunDriver.Outcome> done;
    private final AtomicBoolean reported = new AtomicBoolean();
    private long createMicros;

    RunEvents(long t0, long createMicros, Consumer<RunDriver.Outcome> done) {
      this.t0 = t0;
      this.createMicros = createMicros;
      this.done = requireNonNull(done, "done");
    }

    @Override
    public void status(int status) {
      if (status != 200) {
        finish(refused(status), 0);
      }
    }

    @Override
    public void line(String line) {
      parser.line(line).ifPresent(this::event);
    }

    private void event(SseParser.Event event) {
      String type = event.type();
      if (type.equals("started")) {
        createMicros = micros(data(event).path("started").path("run").path("createTime"));
      } else if (type.equals(RunEventType.RUN_EVENT_TYPE_RUN_COMPLETED.name())) {
        long time = micros(data(event).path("event").path("time"));
        finish(
            RunDriver.Kind.COMPLETED,
            createMicros == 0 || time == 0 ? 0 : (time - createMicros) * 1_000);
      } else if (type.equals("error")
          || type.equals("end")
          || RunDriver.TERMINAL.stream().anyMatch(t -> t.name().equals(type))) {
        finish(RunDriver.Kind.FAILED, 0); // A no-op after the terminal event.
      }
    }

    private static JsonNode data(SseParser.Event event) {
      try {
        return JSON.readTree(event.data());
      } catch (IOException e) {
        return JSON.missingNode();
      }
    }

    /** Reports the outcome, the first time only. */
    void finish(RunDriver.Kind kind, long serverNanos) {
      if (reported.compareAndSet(false, true)) {
        done.accept(new RunDriver.Outcome(kind, elapsed(t0), serverNanos));
      }
    }

    @Override
    public void end(Throwable failure) {
      finish(RunDriver.Kind.FAILED, 0); // A no-op after the terminal event.
    }
  }
}
