package dev.meshwork.bench;

import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * An open-loop load generator: starts calls at a fixed rate whatever the latency (no coordinated
 * omission up to {@link #MAX_IN_FLIGHT} calls in flight) and records each call's latency.
 *
 * @param rate calls started per second
 * @param length how long calls are started
 */
record OpenLoop(int rate, Duration length) {

  static final int MAX_IN_FLIGHT = 10_000;

  /** The outcome of one call: {@code true} when it succeeded. */
  interface Done {
    void done(boolean ok);
  }

  OpenLoop {
    if (rate < 1) {
      throw new IllegalArgumentException("rate: " + rate + " (expected: > 0)");
    }
  }

  /** Runs {@code call} at the rate; returns the latencies of the successful calls. */
  Result run(Consumer<Done> call) throws InterruptedException {
    Latencies latencies = new Latencies();
    AtomicLong failures = new AtomicLong();
    Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
    long intervalNanos = 1_000_000_000L / rate;
    long start = System.nanoTime();
    long end = start + length.toNanos();
    long sent = 0;
    while (true) {
      long now = System.nanoTime();
      if (now >= end) {
        break;
      }
      long due = (now - start) / intervalNanos;
      while (sent < due) {
        inFlight.acquire();
        // From the actual send, as ghz measures: on a busy 2-core machine the generator's own
        // pacing jitter (sleeps overshooting by a millisecond) would otherwise dominate.
        long t0 = System.nanoTime();
        call.accept(
            ok -> {
              if (ok) {
                latencies.add(System.nanoTime() - t0);
              } else {
                failures.incrementAndGet();
              }
              inFlight.release();
            });
        sent++;
      }
      TimeUnit.MICROSECONDS.sleep(100); // Pacing of an open-loop generator.
    }
    inFlight.acquire(MAX_IN_FLIGHT); // Wait for the stragglers.
    inFlight.release(MAX_IN_FLIGHT);
    return new Result(latencies, failures.get(), sent);
  }

  /** A response observer of a unary gRPC call that reports its outcome to {@code done}. */
  static <T> StreamObserver<T> observer(Done done) {
    return new StreamObserver<>() {
      @Override
      public void onNext(T value) {}

      @Override
      public void onError(Throwable t) {
        done.done(false);
      }

      @Override
      public void onCompleted() {
        done.done(true);
      }
    };
  }

  /** Latencies of the successful calls, the number of failed ones, and how many were started. */
  record Result(Latencies latencies, long failures, long sent) {}
}
