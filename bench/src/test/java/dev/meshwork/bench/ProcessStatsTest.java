package dev.meshwork.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProcessStatsTest {

  @Test
  void of_thisJvm_jitTimeIsPartOfCpuTime() throws Exception {
    ProcessStats stats = ProcessStats.of(ProcessHandle.current().pid());

    assertThat(stats.cpuMillis()).isPositive();
    assertThat(stats.jitCpuMillis()).isPositive().isLessThanOrEqualTo(stats.cpuMillis());
    assertThat(stats.rssKib()).isPositive().isLessThanOrEqualTo(stats.peakRssKib());
  }
}
