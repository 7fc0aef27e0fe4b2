package dev.meshwork.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
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
  void new_quietShareOutsideZeroToOne_fails() {
    assertThatThrownBy(() -> new JitSettling(Duration.ofSeconds(10), 0, Duration.ofMinutes(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("quietShare: 0.0 (expected: > 0 and < 1)");
    assertThatThrownBy(() -> new JitSettling(Duration.ofSeconds(10), 1, Duration.ofMinutes(1)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
