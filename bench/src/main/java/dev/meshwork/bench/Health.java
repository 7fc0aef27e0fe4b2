package dev.meshwork.bench;

import io.grpc.Channel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Waits for a started process to answer its health check. */
final class Health {

  private static final int TIMEOUT_SECONDS = 60;

  private Health() {}

  /** Polls the gRPC health check until SERVING; fails after 60s or when {@code process} exits. */
  static void awaitServing(Channel channel, JavaProcess process) throws InterruptedException {
    await(
        process,
        () -> {
          HealthGrpc.newBlockingStub(channel)
              .withDeadlineAfter(2, TimeUnit.SECONDS)
              .check(HealthCheckRequest.getDefaultInstance());
          return true;
        });
  }

  /** Polls {@code GET uri} until it answers 200; fails after 60s or when {@code process} exits. */
  static void awaitHttpOk(HttpClient client, URI uri, JavaProcess process)
      throws InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).GET().build();
    await(
        process,
        () -> client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
  }

  private static void await(JavaProcess process, Check check) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
    while (System.nanoTime() < deadline) {
      process.checkAlive();
      try {
        if (check.healthy()) {
          return;
        }
      } catch (IOException | RuntimeException notYet) {
        // The process is starting; poll again.
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("process not healthy after " + TIMEOUT_SECONDS + "s");
  }

  /** One health probe; throws or returns false while the process is not ready. */
  private interface Check {
    boolean healthy() throws IOException, InterruptedException;
  }
}
