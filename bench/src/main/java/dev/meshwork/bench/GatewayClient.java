package dev.meshwork.bench;

import static java.util.Objects.requireNonNull;

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
   * without a terminal event.
   */
  void run(String startRunJson, Consumer<RunDriver.Kind> done) {
    post(startRunJson, runId -> watch(runId, done), done);
  }

  /**
   * Starts a run and follows it in one request ({@code POST /v1/runs:stream}, the body as for
   * {@code POST /v1/runs}, the run's events as server-sent events); {@code done} as for {@link
   * #run}.
   */
  void runStream(String startRunJson, Consumer<RunDriver.Kind> done) {
    follow(
        request("/v1/runs:stream")
            .header("content-type", "application/json")
            .header("accept", "text/event-stream")
            .POST(HttpRequest.BodyPublishers.ofString(startRunJson))
            .build(),
        done);
  }

  /**
   * Only starts a run ({@code POST /v1/runs}): {@code done} gets {@code COMPLETED} once the gateway
   * has answered 200 with the stored run, without following it.
   */
  void startOnly(String startRunJson, Consumer<RunDriver.Kind> done) {
    post(startRunJson, runId -> done.accept(RunDriver.Kind.COMPLETED), done);
  }

  private void post(String startRunJson, Consumer<String> started, Consumer<RunDriver.Kind> done) {
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
                done.accept(RunDriver.Kind.FAILED);
              } else if (response.statusCode() != 200) {
                done.accept(refused(response.statusCode()));
              } else {
                try {
                  started.accept(runId(response.body()));
                } catch (IOException e) {
                  done.accept(RunDriver.Kind.FAILED);
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

  private void watch(String runId, Consumer<RunDriver.Kind> done) {
    follow(
        request("/v1/runs/" + encode(runId) + "/events")
            .header("accept", "text/event-stream")
            .GET()
            .build(),
        done);
  }

  /** Reads the event stream {@code request} answers until the run's terminal event. */
  private void follow(HttpRequest request, Consumer<RunDriver.Kind> done) {
    AtomicBoolean reported = new AtomicBoolean();
    Consumer<RunDriver.Kind> once =
        kind -> {
          if (reported.compareAndSet(false, true)) {
            done.accept(kind);
          }
        };
    // The stream is read to its end (the gateway closes it after the terminal event and `end`),
    // not cancelled: over HTTP/1.1 a cancel would close the connection.
    http.sendAsync(
            request,
            info ->
                info.statusCode() == 200
                    ? HttpResponse.BodySubscribers.fromLineSubscriber(new RunEvents(once))
                    : HttpResponse.BodySubscribers.replacing(null))
        .whenComplete(
            (response, failure) -> {
              if (failure != null) {
                once.accept(RunDriver.Kind.FAILED);
              } else if (response.statusCode() != 200) {
                once.accept(refused(response.statusCode()));
              }
            });
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(base.resolve(path))
        .timeout(TIMEOUT)
        .header("authorization", authorization);
  }

  /**
   * The run id in a StartRun response, read as an HTTP client would, with a JSON parser; not with
   * protobuf's JsonFormat, which builds the whole message through a Gson tree and put its cost on
   * the gateway rows.
   */
  private static String runId(String startRunResponseJson) throws IOException {
    String runId = JSON.readTree(startRunResponseJson).path("run").path("runId").asText("");
    if (runId.isEmpty()) {
      throw new IOException("no run.runId in the StartRun response");
    }
    return runId;
  }

  /** A 429 is REJECTED (overload), any other refusal FAILED. */
  private static RunDriver.Kind refused(int status) {
    return status == 429 ? RunDriver.Kind.REJECTED : RunDriver.Kind.FAILED;
  }

  private static String encode(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8);
  }

  /** A run's event stream: reports the outcome at the first terminal event, or at the end. */
  private static final class RunEvents implements Flow.Subscriber<String> {

    private final SseParser parser = new SseParser();
    private final Consumer<RunDriver.Kind> once;

    RunEvents(Consumer<RunDriver.Kind> once) {
      this.once = once;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(String line) {
      parser.line(line).ifPresent(event -> outcome(event.type()));
    }

    private void outcome(String type) {
      if (type.equals(RunEventType.RUN_EVENT_TYPE_RUN_COMPLETED.name())) {
        once.accept(RunDriver.Kind.COMPLETED);
      } else if (type.equals("error")
          || type.equals("end")
          || RunDriver.TERMINAL.stream().anyMatch(t -> t.name().equals(type))) {
        once.accept(RunDriver.Kind.FAILED); // A no-op after the terminal event.
      }
    }

    @Override
    public void onError(Throwable throwable) {
      once.accept(RunDriver.Kind.FAILED);
    }

    @Override
    public void onComplete() {
      once.accept(RunDriver.Kind.FAILED); // A no-op after the terminal event.
    }
  }
}
