package dev.meshwork.bench;

import static java.util.Objects.requireNonNull;

import dev.meshwork.api.orchestrator.v1.StartRunRequest;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
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
      throw new IllegalArgumentException(
          "quietShare: " + quietShare + " (expected: > 0 and < 1)");
    }
  }

  /** Warming in {@link #CHUNK}s until under {@link #QUIET_SHARE}, for at most {@code max}. */
  static JitSettling upTo(Duration max) {
    return new JitSettling(CHUNK, QUIET_SHARE, max);
  }

  /** What warming did. */
  record Outcome(Duration warmed, double lastJitShare, boolean settled) {}

  /**
   * Drives closed-loop runs of {@code requests} with {@code clients} clients until the JIT threads
   * of {@code pid} use less than the quiet share of its CPU over one chunk, or {@link #max} passed.
   */
  Outcome warm(
      long pid,
      int clients,
      RunSource source,
      Supplier<StartRunRequest> requests,
      PrintStream out)
      throws IOException, InterruptedException {
    long t0 = System.nanoTime();
    ClosedLoop loop = new ClosedLoop(clients, Duration.ZERO, chunk);
    double share = 1;
    while (true) {
      ProcessStats before = ProcessStats.of(pid);
      loop.run(source, requests);
      ProcessStats after = ProcessStats.of(pid);
      share = jitShare(before, after);
      Duration warmed = Duration.ofNanos(System.nanoTime() - t0);
      out.printf(
          Locale.ROOT,
          "bench: warming: %ds, the JIT used %.0f%% of the process's CPU in the last %ds%n",
          warmed.toSeconds(),
          share * 100,
          chunk.toSeconds());
      if (share < quietShare) {
        return new Outcome(warmed, share, true);
      }
      if (warmed.compareTo(max) >= 0) {
        return new Outcome(warmed, share, false);
      }
    }
  }

  /** The JIT threads' share of the CPU a process used between two readings. */
  static double jitShare(ProcessStats before, ProcessStats after) {
    long cpu = after.cpuMillis() - before.cpuMillis();
    return cpu <= 0 ? 0 : (double) (after.jitCpuMillis() - before.jitCpuMillis()) / cpu;
  }
}
