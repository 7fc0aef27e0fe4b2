package dev.meshwork.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class TracingBenchTest {

  @Test
  void median_oddAndEvenCounts_middleValue() {
    assertThat(TracingBench.median(List.of(0.9, 1.1, 0.95))).isEqualTo(0.95);
    assertThat(TracingBench.median(List.of(1.0, 0.75, 0.25, 0.5))).isEqualTo(0.625);
  }

  @Test
  void median_noValues_throwsIllegalArgument() {
    assertThatThrownBy(() -> TracingBench.median(List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("values: [] (expected: at least one)");
  }

  @Test
  void optionsFrom_flags_overrideTheDefaults() {
    TracingBench.Options options =
        TracingBench.Options.from(
            BenchArgs.of(
                new String[] {
                  "tracing", "--root", "/r", "--rounds", "5", "--duration", "7s", "--clients", "8"
                }));

    assertThat(options.rounds()).isEqualTo(5);
    assertThat(options.duration()).isEqualTo(Duration.ofSeconds(7));
    assertThat(options.clients()).isEqualTo(8);
    assertThat(options.agentJar())
        .isEqualTo(Path.of("/r/agents/echo/target/meshwork-agent-echo.jar"));
  }

  @Test
  void round_ratios_areOnOverOff() {
    TracingBench.Round round =
        new TracingBench.Round(
            new TracingBench.Phase(200, 0, 8.0, 0), new TracingBench.Phase(190, 0, 8.4, 2000));

    assertThat(round.throughputRatio()).isEqualTo(0.95);
    assertThat(round.costRatio()).isCloseTo(1.05, within(1e-9));
  }
}
