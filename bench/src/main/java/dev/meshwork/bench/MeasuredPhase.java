package dev.meshwork.bench;

import static java.util.Objects.requireNonNull;

import dev.meshwork.api.orchestrator.v1.StartRunRequest;
import java.io.IOException;
import java.util.function.Supplier;

/**
 * A closed-loop throughput phase and the CPU one process spent during it: CPU per run is less
 * sensitive than runs per second to what else the shared machine runs at the time.
 *
 * @param result what the clients saw
 * @param cpuPercent the process's CPU over the whole phase (warm-up included, the steady state
 *     anyway), in percent of one core
 * @param stats the process's figures at the end
 */
record MeasuredPhase(ClosedLoop.Result result, double cpuPercent, ProcessStats stats) {

  MeasuredPhase {
    requireNonNull(result, "result");
    requireNonNull(stats, "stats");
  }

  /** Runs {@code loop} over {@code source}, sampling the CPU of process {@code pid}. */
  static MeasuredPhase run(
      long pid, ClosedLoop loop, RunSource source, Supplier<StartRunRequest> requests)
      throws IOException, InterruptedException {
    ProcessStats before = ProcessStats.of(pid);
    long t0 = System.nanoTime();
    ClosedLoop.Result result = loop.run(source, requests);
    long wallMillis = Math.max(1, (System.nanoTime() - t0) / 1_000_000);
    ProcessStats after = ProcessStats.of(pid);
    double cpu = 100.0 * (after.cpuMillis() - before.cpuMillis()) / wallMillis;
    return new MeasuredPhase(result, cpu, after);
  }

  /** CPU milliseconds the process spent per completed run (0 when none completed). */
  double cpuMillisPerRun() {
    double rate = result.perSecond();
    return rate == 0 ? 0 : cpuPercent * 10 / rate;
  }
}
