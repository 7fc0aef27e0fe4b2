package dev.meshwork.bench;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meshwork.api.orchestrator.v1.RunEventType;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The HTTP side of the gateway scenario, asynchronous on one {@link HttpClient} with an API key: a
 * run started with {@code POST /v1/runs} and followed over server-sent events from {@code GET
 * /v1/runs/{id}/events} until its terminal event (what {@link RunDriver} does over gRPC with
 * StartRun and WatchRun), or started and followed in one request ({@code POST /v1/runs:stream},
 * StartAndWatchRun), and {@code GET /v1/runs/{id}} (GetRun).
 */
final class GatewayClient {

  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http;
  private final URI base;
  private final String authorization;

  /**
   * A client of the gateway at {@code base} ({@code https://host:port}).
   *
   * @param apiKey sent as {@code Authorization: Bearer <key>}
   */
  GatewayClient(HttpClient http, URI base, String apiKey) {
    this.http = requireNonNull(http, "http");
    this.base = requireNonNull(base, "base");
    this.authorization = "Bearer " + requireNonNull(apiKey, "apiKey");
  }

  /** An HTTP client that trusts only the CA certificates in {@code caPem}. */
  static HttpClient httpClient(Path caPem, HttpClient.Version version)
      throws IOException, GeneralSecurityException {
    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    try (InputStream in = Files.newInputStream(caPem)) {
      int n = 0;
      for (Certificate ca : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        trust.setCertificateEntry("ca-" + n++, ca);
      }
    }
    TrustManagerFactory trustManagers =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trustManagers.init(trust);
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(null, trustManagers.getTrustManagers(), null);
    return HttpClient.newBuilder()
        .sslContext(tls)
        .version(requireNonNull(version, "version"))
        .connectTimeout(Duration.ofSeconds(5))
        .build();
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
    follow(
        request("/v1/runs:stream")
            .header("content-type", "application/json")
            .header("accept", "text/event-stream")
            .POST(HttpRequest.BodyPublishers.ofString(startRunJson))
            .build(),
        new RunEvents(t0, 0, done));
  }

  /**
   * Only starts a run ({@code POST /v1/runs}): {@code done} gets {@code COMPLETED} once the gateway
   * has answered 200 with the stored run, without following it.
   */
  void startOnly(String startRunJson, Consumer<RunDriver.Outcome> done) {
    long t0 = System.nanoTime();
    post(
        startRunJson,
        t0,
        run -> done.accept(new RunDriver.Outcome(RunDriver.Kind.COMPLETED, elapsed(t0), 0)),
        done);
  }

  private void post(
      String startRunJson, long t0, Consumer<JsonNode> started, Consumer<RunDriver.Outcome> done) {
    requireNonNull(done, "done");
    HttpRequest post =
        request("/v1/runs")
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(startRunJson))
            .build();
    http.sendAsync(post, HttpResponse.BodyHandlers.ofString())
        .whenComplete(
            (response, failure) -> {
              if (failure != null) {
                done.accept(failed(RunDriver.Kind.FAILED, t0));
              } else if (response.statusCode() != 200) {
                done.accept(failed(refused(response.statusCode()), t0));
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
    http.sendAsync(request(path).GET().build(), HttpResponse.BodyHandlers.discarding())
        .whenComplete(
            (response, failure) -> done.done(failure == null && response.statusCode() == 200));
  }

  private void watch(JsonNode run, long t0, Consumer<RunDriver.Outcome> done) {
    follow(
        request("/v1/runs/" + encode(run.path("runId").asText()) + "/events")
            .header("accept", "text/event-stream")
            .GET()
            .build(),
        new RunEvents(t0, micros(run.path("createTime")), done));
  }

  /** Reads the event stream {@code request} answers until the run's terminal event. */
  private void follow(HttpRequest request, RunEvents events) {
    // The stream is read to its end (the gateway closes it after the terminal event and `end`),
    // not cancelled: over HTTP/1.1 a cancel would close the connection.
    http.sendAsync(
            request,
            info ->
                info.statusCode() == 200
                    ? HttpResponse.BodySubscribers.fromLineSubscriber(events)
                    : HttpResponse.BodySubscribers.replacing(null))
        .whenComplete(
            (response, failure) -> {
              if (failure != null) {
                events.finish(RunDriver.Kind.FAILED, 0);
              } else if (response.statusCode() != 200) {
                events.finish(refused(response.statusCode()), 0);
              }
            });
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(base.resolve(path))
        .timeout(TIMEOUT)
        .header("authorization", authorization);
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
      Instant instant = Instant.parse(timestamp.asText(""));
      return instant.getEpochSecond() * 1_000_000 + instant.getNano() / 1_000;
    } catch (DateTimeParseException e) {
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
  private static final class RunEvents implements Flow.Subscriber<String> {

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
    public void onSubscribe(Flow.Subscription subscription) {
      subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(String line) {
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
    public void onError(Throwable throwable) {
      finish(RunDriver.Kind.FAILED, 0);
    }

    @Override
    public void onComplete() {
      finish(RunDriver.Kind.FAILED, 0); // A no-op after the terminal event.
    }
  }
}
