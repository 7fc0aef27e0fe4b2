package dev.meshwork.bench;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** {@link HttpTransport} over the JDK's {@link HttpClient}: one connection, its own threads. */
final class JdkHttpTransport implements HttpTransport {

  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private final HttpClient http;
  private final URI base;

  JdkHttpTransport(HttpClient http, URI base) {
    this.http = requireNonNull(http, "http");
    this.base = requireNonNull(base, "base");
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

  @Override
  public CompletableFuture<Response> send(Request request, boolean keepBody) {
    if (keepBody) {
      return http.sendAsync(toJdk(request), HttpResponse.BodyHandlers.ofString())
          .thenApply(r -> new Response(r.statusCode(), r.body()));
    }
    return http.sendAsync(toJdk(request), HttpResponse.BodyHandlers.discarding())
        .thenApply(r -> new Response(r.statusCode(), ""));
  }

  @Override
  public void stream(Request request, Lines lines) {
    requireNonNull(lines, "lines");
    // The stream is read to its end (the gateway closes it after the terminal event and `end`),
    // not cancelled: over HTTP/1.1 a cancel would close the connection.
    http.sendAsync(
            toJdk(request),
            info -> {
              lines.status(info.statusCode());
              return info.statusCode() == 200
                  ? HttpResponse.BodySubscribers.fromLineSubscriber(new LineSubscriber(lines))
                  : HttpResponse.BodySubscribers.replacing(null);
            })
        .whenComplete((response, failure) -> lines.end(failure));
  }

  private HttpRequest toJdk(Request request) {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(base.resolve(request.path())).timeout(TIMEOUT);
    request.headers().forEach(builder::header);
    return builder
        .method(
            request.method(),
            request.body().isEmpty()
                ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(request.body()))
        .build();
  }

  @Override
  public void close() {
    // HttpClient releases its connections and threads once unreachable (close() is Java 21+).
  }

  /** Feeds the lines of a 200 answer to {@link Lines#line}. */
  private record LineSubscriber(Lines lines) implements Flow.Subscriber<String> {

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(String line) {
      lines.line(line);
    }

    @Override
    public void onError(Throwable throwable) {
      // Reported with the response's completion.
    }

    @Override
    public void onComplete() {
      // Reported with the response's completion.
    }
  }
}
