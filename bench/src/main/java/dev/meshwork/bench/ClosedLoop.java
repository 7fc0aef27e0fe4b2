package dev.meshwork.bench;

import static java.util.Objects.requireNonNull;

import dev.meshwork.api.orchestrator.v1.StartRunRequest;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * A closed-loop workflow generator: {@code clients} virtual clients each start a run, wait until it
 * is terminal, and start the next. Runs that end during the warm-up are not counted.
 *
 * @param clients concurrent runs
 * @param warmup not measured
 * @param length measured, after the warm-up
 */
record ClosedLoop(int clients, Duration warmup, Duration length) {

  private static final long REJECTED_BACKOFF_MILLIS = 5;

  ClosedLoop {
    requireNonNull(warmup, "warmup");
    requireNonNull(length, "length");
    if (clients < 1) {
      throw new IllegalArgumentException("clients: " + clients + " (expected: > 0)");
    }
  }

  /** Drives runs of {@code requests} through {@code driver} and returns what was measured. */
  Result run(RunSource driver, Supplier<StartRunRequest> requests) throws InterruptedException {
    Latencies client = new Latencies();
    Latencies server = new Latencies();
    AtomicLong failed = new AtomicLong();
    AtomicLong rejected = new AtomicLong();
    long start = System.nanoTime();
    long measureFrom = start + warmup.toNanos();
    long end = measureFrom + length.toNanos();
    CountDownLatch stopped = new CountDownLatch(clients);
    ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor();
    try {
      for (int i = 0; i < clients; i++) {
        new Object() {
          void next() {
            if (System.nanoTime() >= end) {
              stopped.countDown();
              return;
            }
            driver.run(
                requests.get(),
                outcome -> {
                  long now = System.nanoTime();
                  boolean counted = now >= measureFrom && now < end;
                  switch (outcome.kind()) {
                    case COMPLETED -> {
                      if (counted) {
                        client.add(outcome.clientNanos());
                        server.add(outcome.serverNanos());
                      }
                      next();
                    }
                    case FAILED -> {
                      if (counted) {
                        failed.incrementAndGet();
                      }
                      next();
                    }
                    case REJECTED -> {
                      if (counted) {
                        rejected.incrementAndGet();
                      }
                      retries.schedule(this::next, REJECTED_BACKOFF_MILLIS, TimeUnit.MILLISECONDS);
                    }
                  }
                });
          }
        }.next();
      }
      if (!stopped.await(length.toSeconds() + warmup.toSeconds() + 120, TimeUnit.SECONDS)) {
        throw new IllegalStateException("runs still unfinished 2 minutes after the end");
      }
    } finally {
      retries.shutdownNow();
    }
    return new Result(client, server, failed.get(), rejected.get(), length);
  }

  /** Completed runs' durations (client and orchestrator clocks), failures and rejections. */
  record Result(Latencies client, Latencies server, long failed, long rejected, Duration length) {

    double perSecond() {
      return client.count() * 1e9 / length.toNanos();
    }
  }
}
