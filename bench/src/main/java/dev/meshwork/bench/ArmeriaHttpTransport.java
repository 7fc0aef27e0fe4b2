package dev.meshwork.bench;

import static java.util.Objects.requireNonNull;

import com.linecorp.armeria.client.ClientFactory;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpObject;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.common.RequestHeadersBuilder;
import com.linecorp.armeria.common.ResponseHeaders;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * {@link HttpTransport} over Armeria's client (Netty, HTTP/2 over TLS): a client that reads each
 * connection on one event loop and hands the answer over there, as grpc-java does for the direct
 * paths, where the JDK's client passes every answer through its own selector and executor threads.
 */
final class ArmeriaHttpTransport implements HttpTransport {

  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private final ClientFactory factory;
  private final WebClient client;

  private ArmeriaHttpTransport(ClientFactory factory, WebClient client) {
    this.factory = factory;
    this.client = client;
  }

  /** A client of {@code base} that trusts only the CA certificates in {@code caPem}. */
  static ArmeriaHttpTransport create(URI base, Path caPem) {
    requireNonNull(caPem, "caPem");
    return create(
        base,
        ClientFactory.builder().tlsCustomizer(tls -> tls.trustManager(caPem.toFile())).build());
  }

  /** A client of {@code base} over cleartext HTTP ({@code h1c://} or {@code h2c://}): tests. */
  static ArmeriaHttpTransport cleartext(URI base) {
    return create(base, ClientFactory.builder().build());
  }

  private static ArmeriaHttpTransport create(URI base, ClientFactory factory) {
    requireNonNull(base, "base");
    WebClient client =
        WebClient.builder(base)
            .factory(factory)
            .responseTimeout(TIMEOUT)
            .maxResponseLength(0) // Event streams have no length limit.
            .build();
    return new ArmeriaHttpTransport(factory, client);
  }

  @Override
  public CompletableFuture<Response> send(Request request, boolean keepBody) {
    return client
        .execute(toArmeria(request))
        .aggregate()
        .thenApply(r -> new Response(r.status().code(), keepBody ? r.contentUtf8() : ""));
  }

  @Override
  public void stream(Request request, Lines lines) {
    client.execute(toArmeria(request)).subscribe(new LineSplitter(requireNonNull(lines, "lines")));
  }

  private static HttpRequest toArmeria(Request request) {
    RequestHeadersBuilder headers =
        RequestHeaders.builder(HttpMethod.valueOf(request.method()), request.path());
    request.headers().forEach(headers::add);
    return request.body().isEmpty()
        ? HttpRequest.of(headers.build())
        : HttpRequest.of(headers.build(), HttpData.ofUtf8(request.body()));
  }

  @Override
  public void close() {
    factory.close();
  }

  /** Splits a streamed answer into lines at '\n' (never inside a UTF-8 sequence). */
  private static final class LineSplitter implements Subscriber<HttpObject> {
    private final Lines lines;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private boolean ok;

    LineSplitter(Lines lines) {
      this.lines = lines;
    }

    @Override
    public void onSubscribe(Subscription subscription) {
      subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(HttpObject object) {
      if (object instanceof ResponseHeaders headers) {
        if (!headers.status().isInformational()) {
          ok = headers.status().code() == 200;
          lines.status(headers.status().code());
        }
      } else if (ok && object instanceof HttpData data) {
        byte[] bytes = data.array();
        int start = 0;
        for (int i = 0; i < bytes.length; i++) {
          if (bytes[i] == '\n') {
            pending.write(bytes, start, i - start);
            lines.line(pending.toString(StandardCharsets.UTF_8));
            pending.reset();
            start = i + 1;
          }
        }
        pending.write(bytes, start, bytes.length - start);
      }
    }

    @Override
    public void onError(Throwable failure) {
      lines.end(failure);
    }

    @Override
    public void onComplete() {
      lines.end(null);
    }
  }
}
