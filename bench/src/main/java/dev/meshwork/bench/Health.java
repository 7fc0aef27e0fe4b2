package dev.meshwork.bench;

import io.grpc.Channel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import java.util.concurrent.TimeUnit;

/** Waits for a started process to answer its gRPC health check. */
final class Health {

  private Health() {}

  /** Polls until SERVING; fails after 60s or when {@code process} has exited. */
  static void awaitServing(Channel channel, JavaProcess process) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      process.checkAlive();
      try {
        HealthGrpc.newBlockingStub(channel)
            .withDeadlineAfter(2, TimeUnit.SECONDS)
            .check(HealthCheckRequest.getDefaultInstance());
        return;
      } catch (RuntimeException notYet) {
        Thread.sleep(200); // The process is starting; poll its health.
      }
    }
    throw new IllegalStateException("process not SERVING after 60s");
  }
}
