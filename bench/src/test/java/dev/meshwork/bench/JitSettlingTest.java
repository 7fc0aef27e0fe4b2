package dev.meshwork.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JitSettlingTest {

  @Test
  void jitShare_compilerThreadsUsedPartOfTheCpu_isTheirFraction() {
    ProcessStats before = new ProcessStats(10_000, 0, 0, 2_000);
    ProcessStats after = new ProcessStats(14_000, 0, 0, 2_600);

    assertThat(JitSettling.jitShare(before, after)).isEqualTo(0.15);
  }

  @Test
  void jitShare_idleProcess_isZero() {
    ProcessStats stats = new ProcessStats(10_000, 0, 0, 2_000);

    assertThat(JitSettling.jitShare(stats, stats)).isZero();
  }

  @Test
  void describe_settled_saysHowLongAndTheShare() {
    JitSettling.Outcome outcome =
        new JitSettling.Outcome(Duration.ofSeconds(223), 0.007, true, 0.03, Duration.ofSeconds(10));

    assertThat(outcome.describe("runs", "the JIT of the gateway"))
        .isEqualTo(
            "223s of runs until the JIT of the gateway used at most 0.7% of its process's CPU"
                + " over 10s (settled: under 3%).");
  }

  @Test
  void describe_notSettled_saysSo() {
    JitSettling.Outcome outcome =
        new JitSettling.Outcome(Duration.ofMinutes(8), 0.12, false, 0.03, Duration.ofSeconds(10));

    assertThat(outcome.describe("load", "the JIT")).endsWith("(NOT settled within --settle-jit).");
  }

  @Test
  void warm_jitQuietInTheFirstChunk_settlesAfterOneChunkNamingEachProcess() throws Exception {
    long self = ProcessHandle.current().pid();
    List<Duration> chunks = new ArrayList<>();
    ByteArrayOutputStream progress = new ByteArrayOutputStream();
    // The load keeps a thread busy for the whole chunk: the JIT cannot take 99% of the CPU.
    JitSettling settling = new JitSettling(Duration.ofMillis(50), 0.99, Duration.ofSeconds(30));

    JitSettling.Outcome outcome =
        settling.warm(
            Map.of("a", self, "b", self),
            length -> {
              chunks.add(length);
              busy(length);
            },
            new PrintStream(progress, true, StandardCharsets.UTF_8));

    assertThat(outcome.settled()).isTrue();
    assertThat(chunks).containsExactly(Duration.ofMillis(50));
    assertThat(progress.toString(StandardCharsets.UTF_8))
        .contains("of the a's, ")
        .contains("of the b's CPU in the last");
  }

  @Test
  void warm_noProcesses_fails() {
    JitSettling settling = JitSettling.upTo(Duration.ofSeconds(1));

    assertThatThrownBy(() -> settling.warm(Map.of(), length -> {}, System.out))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("processes: {} (expected: at least one)");
  }

  /** Keeps this thread on the CPU for {@code length}, so that the process's CPU time grows. */
  private static void busy(Duration length) {
    long end = System.nanoTime() + length.toNanos();
    long x = 0;
    while (System.nanoTime() < end) {
      x += System.nanoTime() % 7;
    }
    if (x == 42) {
      System.out.print("");
    }
  }

  @Test
  void new_quietShareOutsideZeroToOne_fails() {
    assertThatThrownBy(() -> new JitSettling(Duration.ofSeconds(10), 0, Duration.ofMinutes(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("quietShare: 0.0 (expected: > 0 and < 1)");
    assertThatThrownBy(() -> new JitSettling(Duration.ofSeconds(10), 1, Duration.ofMinutes(1)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
