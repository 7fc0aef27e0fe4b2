package dev.meshwork.bench;

import static java.util.Objects.requireNonNull;

import dev.meshwork.api.orchestrator.v1.StartRunRequest;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Warms a service JVM under load until its JIT compilers go quiet. On a saturated 2-core machine
 * the compiler threads get little CPU, and a JVM as large as the orchestrator (gRPC, Netty, H2,
 * protobuf) still spends about a sixth of its CPU compiling minutes after a fixed 30 s warm-up: a
 * figure measured then is a start-up transient, not what a long-running service does.
 *
 * @param chunk how long each stretch of load lasts before the JIT's share is checked
 * @param quietShare the JIT's share of the process's CPU under which it counts as settled
 * @param max the longest it warms, settled or not
 */
record JitSettling(Duration chunk, double quietShare, Duration max) {

  /** Load between two looks at the JIT. */
  static final Duration CHUNK = Duration.ofSeconds(10);

  /** The JIT counts as settled under this share of the process's CPU. */
  static final double QUIET_SHARE = 0.03;

  JitSettling {
    requireNonNull(chunk, "chunk");
    requireNonNull(max, "max");
    if (quietShare <= 0 || quietShare >= 1) {
      throw new IllegalArgumentException("quietShare: " + quietShare + " (expected: > 0 and < 1)");
    }
  }

  /** Warming in {@link #CHUNK}s until under {@link #QUIET_SHARE}, for at most {@code max}. */
  static JitSettling upTo(Duration max) {
    return new JitSettling(CHUNK, QUIET_SHARE, max);
  }

  /**
   * What warming did.
   *
   * @param warmed how long
   * @param lastJitShare the largest JIT share of a process in the last chunk
   * @param settled whether that was under the quiet share
   * @param quietShare the quiet share
   * @param chunk the length of a chunk
   */
  record Outcome(
      Duration warmed, double lastJitShare, boolean settled, double quietShare, Duration chunk) {

    /**
     * One sentence for a report: "{@code N}s of {@code load} until {@code jit} used at most X% of
     * its process's CPU over {@code chunk} (settled: under Y%)".
     */
    String describe(String load, String jit) {
      return String.format(
          Locale.ROOT,
          "%ds of %s until %s used at most %.1f%% of its process's CPU over %ds (%s).",
          warmed.toSeconds(),
          load,
          jit,
          lastJitShare * 100,
          chunk.toSeconds(),
          settled
              ? "settled: under " + Math.round(quietShare * 100) + "%"
              : "NOT settled within --settle-jit");
    }
  }

  /** One stretch of load. */
  interface Load {
    void run(Duration length) throws InterruptedException;
  }

  /**
   * Drives closed-loop runs of {@code requests} with {@code clients} clients until the JIT threads
   * of {@code pid} (named {@code name} in progress lines) settle; see {@link #warm(Map, Load,
   * PrintStream)}.
   */
  Outcome warm(
      String name,
      long pid,
      int clients,
      RunSource source,
      Supplier<StartRunRequest> requests,
      PrintStream out)
      throws IOException, InterruptedException {
    return warm(
        Map.of(name, pid),
        length -> new ClosedLoop(clients, Duration.ZERO, length).run(source, requests),
        out);
  }

  /**
   * Applies {@code load} a chunk at a time until the JIT threads of every process (name to pid) use
   * less than the quiet share of that process's CPU over one chunk, or {@link #max} passed.
   */
  Outcome warm(Map<String, Long> processes, Load load, PrintStream out)
      throws IOException, InterruptedException {
    requireNonNull(load, "load");
    if (processes.isEmpty()) {
      throw new IllegalArgumentException("processes: {} (expected: at least one)");
    }
    Map<String, Long> ordered = new TreeMap<>(processes);
    long t0 = System.nanoTime();
    while (true) {
      Map<String, ProcessStats> before = stats(ordered);
      load.run(chunk);
      Map<String, ProcessStats> after = stats(ordered);
      StringBuilder shares = new StringBuilder();
      double largest = 0;
      for (String name : ordered.keySet()) {
        double share = jitShare(before.get(name), after.get(name));
        largest = Math.max(largest, share);
        shares
            .append(shares.length() == 0 ? "" : ", ")
            .append(String.format(Locale.ROOT, "%.0f%% of the %s's", share * 100, name));
      }
      Duration warmed = Duration.ofNanos(System.nanoTime() - t0);
      out.printf(
          Locale.ROOT,
          "bench: warming: %ds, the JIT used %s CPU in the last %ds%n",
          warmed.toSeconds(),
          shares,
          chunk.toSeconds());
      if (largest < quietShare) {
        return new Outcome(warmed, largest, true, quietShare, chunk);
      }
      if (warmed.compareTo(max) >= 0) {
        return new Outcome(warmed, largest, false, quietShare, chunk);
      }
    }
  }

  private static Map<String, ProcessStats> stats(Map<String, Long> processes) throws IOException {
    Map<String, ProcessStats> stats = new HashMap<>();
    for (Map.Entry<String, Long> e : processes.entrySet()) {
      stats.put(e.getKey(), ProcessStats.of(e.getValue()));
    }
    return stats;
  }

  /** The JIT threads' share of the CPU a process used between two readings. */
  static double jitShare(ProcessStats before, ProcessStats after) {
    long cpu = after.cpuMillis() - before.cpuMillis();
    return cpu <= 0 ? 0 : (double) (after.jitCpuMillis() - before.jitCpuMillis()) / cpu;
  }
}
