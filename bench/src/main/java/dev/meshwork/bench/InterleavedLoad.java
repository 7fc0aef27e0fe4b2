package dev.meshwork.bench;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.function.Consumer;

/**
 * Compares cases under the same open-loop load ({@link OpenLoop}): each case is warmed up at the
 * rate, then all are measured in {@code rounds} rounds of {@code duration / rounds} each, rotating
 * which goes first, so that a change in the machine's background load hits every case alike. A case
 * may bring {@link Background} load of its own, run alongside it and not measured.
 *
 * @param rate calls started per second
 * @param warmup per case, before the rounds
 * @param duration measured per case, over all rounds
 * @param rounds how many slices the measurement is cut into
 */
record InterleavedLoad(int rate, Duration warmup, Duration duration, int rounds) {

  private static final OpenLoop.Result NO_CALLS = new OpenLoop.Result(new Latencies(), 0, 0);

  /**
   * Load run alongside a case, during its warm-up and each of its slices, and not measured: keeps
   * the process under test as busy as a goal describes while the case itself runs at a rate that
   * another part of the system can sustain.
   *
   * @param rate calls started per second
   * @param call starts one call and reports its outcome, as {@link OpenLoop} wants
   */
  record Background(int rate, Consumer<OpenLoop.Done> call) {

    Background {
      if (rate < 1) {
        throw new IllegalArgumentException("rate: " + rate + " (expected: > 0)");
      }
      requireNonNull(call, "call");
    }
  }

  /**
   * One thing to measure.
   *
   * @param name how the report names it
   * @param call starts one call and reports its outcome, as {@link OpenLoop} wants
   * @param background load run alongside it, if any
   */
  record Case(String name, Consumer<OpenLoop.Done> call, Optional<Background> background) {

    Case {
      requireNonNull(name, "name");
      requireNonNull(call, "call");
      requireNonNull(background, "background");
    }

    /** A case without background load. */
    Case(String name, Consumer<OpenLoop.Done> call) {
      this(name, call, Optional.empty());
    }
  }

  /**
   * What one case measured over all rounds.
   *
   * @param name the case's name
   * @param latencies of the successful calls, from their actual send
   * @param failures calls that failed
   * @param sent calls started
   * @param wall the time the rounds of this case took, stragglers included
   * @param backgroundSent background calls started during the rounds of this case
   * @param backgroundFailures of them, the calls that failed
   */
  record Measured(
      String name,
      Latencies latencies,
      long failures,
      long sent,
      Duration wall,
      long backgroundSent,
      long backgroundFailures) {

    Measured {
      requireNonNull(name, "name");
      requireNonNull(latencies, "latencies");
      requireNonNull(wall, "wall");
    }

    /** Successful calls per second of wall time. */
    double perSecond() {
      return wall.isZero() ? 0 : latencies.count() / (wall.toNanos() / 1e9);
    }
  }

  InterleavedLoad {
    requireNonNull(warmup, "warmup");
    requireNonNull(duration, "duration");
    if (rate < 1) {
      throw new IllegalArgumentException("rate: " + rate + " (expected: > 0)");
    }
    if (rounds < 1) {
      throw new IllegalArgumentException("rounds: " + rounds + " (expected: > 0)");
    }
    if (duration.dividedBy(rounds).isZero()) {
      throw new IllegalArgumentException("duration: " + duration + " (expected: >= rounds ns)");
    }
  }

  /**
   * Readings taken alongside the measurement (for example a process's CPU time per case); every
   * method does nothing unless overridden.
   */
  interface Listener {

    /** After the warm-up, before the first round. */
    default void beforeRounds() {}

    /** Before a slice of case {@code index} starts. */
    default void beforeSlice(int index) {}

    /** After a slice of case {@code index}, its stragglers included. */
    default void afterSlice(int index) {}
  }

  /**
   * Warms up and measures {@code cases}; returns one {@link Measured} per case, in the order given.
   * {@code progress} gets a line before each phase, and one for a slice with failures.
   */
  List<Measured> run(List<Case> cases, Consumer<String> progress) throws InterruptedException {
    return run(cases, progress, new Listener() {});
  }

  /** As {@link #run(List, Consumer)}, telling {@code listener} where the measurement is. */
  List<Measured> run(List<Case> cases, Consumer<String> progress, Listener listener)
      throws InterruptedException {
    requireNonNull(progress, "progress");
    requireNonNull(listener, "listener");
    if (!warmup.isZero()) {
      for (Case c : cases) {
        progress.accept(
            String.format(
                Locale.ROOT,
                "warm-up: %s at %d/s%s for %ds",
                c.name(),
                rate,
                c.background().map(b -> " (" + b.rate() + "/s alongside)").orElse(""),
                warmup.toSeconds()));
        slice(c, warmup);
      }
    }
    listener.beforeRounds();
    Duration slice = duration.dividedBy(rounds);
    List<Latencies> latencies = new ArrayList<>();
    long[] failures = new long[cases.size()];
    long[] sent = new long[cases.size()];
    long[] wallNanos = new long[cases.size()];
    long[] backgroundSent = new long[cases.size()];
    long[] backgroundFailures = new long[cases.size()];
    cases.forEach(c -> latencies.add(new Latencies()));
    for (int round = 0; round < rounds; round++) {
      progress.accept(
          String.format(
              Locale.ROOT,
              "round %d of %d: each case at %d/s for %dms",
              round + 1,
              rounds,
              rate,
              slice.toMillis()));
      for (int k = 0; k < cases.size(); k++) {
        int index = (round + k) % cases.size();
        Case c = cases.get(index);
        listener.beforeSlice(index);
        long t0 = System.nanoTime();
        Slice measured = slice(c, slice);
        OpenLoop.Result result = measured.result();
        wallNanos[index] += System.nanoTime() - t0;
        listener.afterSlice(index);
        if (result.failures() > 0) {
          progress.accept(
              String.format(
                  Locale.ROOT,
                  "%s: %d of %d calls failed",
                  c.name(),
                  result.failures(),
                  result.sent()));
        }
        if (measured.background().failures() > 0) {
          progress.accept(
              String.format(
                  Locale.ROOT,
                  "%s: %d of %d background calls failed",
                  c.name(),
                  measured.background().failures(),
                  measured.background().sent()));
        }
        backgroundSent[index] += measured.background().sent();
        backgroundFailures[index] += measured.background().failures();
        for (long nanos : result.latencies().samples()) {
          latencies.get(index).add(nanos);
        }
        failures[index] += result.failures();
        sent[index] += result.sent();
      }
    }
    List<Measured> measured = new ArrayList<>();
    for (int i = 0; i < cases.size(); i++) {
      measured.add(
          new Measured(
              cases.get(i).name(),
              latencies.get(i),
              failures[i],
              sent[i],
              Duration.ofNanos(wallNanos[i]),
              backgroundSent[i],
              backgroundFailures[i]));
    }
    return measured;
  }

  /** Runs {@code c} at the rate for {@code length}, with its background load; measures nothing. */
  void load(Case c, Duration length) throws InterruptedException {
    slice(c, length);
  }

  /** What one stretch of a case did: its own calls and its background's. */
  private record Slice(OpenLoop.Result result, OpenLoop.Result background) {}

  /** Runs {@code c} at the rate for {@code length}, with its background load on another thread. */
  private Slice slice(Case c, Duration length) throws InterruptedException {
    if (c.background().isEmpty()) {
      return new Slice(new OpenLoop(rate, length).run(c.call()), NO_CALLS);
    }
    Background background = c.background().get();
    FutureTask<OpenLoop.Result> alongside =
        new FutureTask<>(() -> new OpenLoop(background.rate(), length).run(background.call()));
    Thread thread = new Thread(alongside, "bench-background-load");
    thread.setDaemon(true);
    thread.start();
    OpenLoop.Result result = new OpenLoop(rate, length).run(c.call());
    try {
      return new Slice(result, alongside.get());
    } catch (ExecutionException e) {
      throw new IllegalStateException("background load of " + c.name() + " failed", e.getCause());
    }
  }
}
