package dev.meshwork.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class InterleavedLoadTest {

  private static InterleavedLoad.Case ok(String name, List<String> calls) {
    return new InterleavedLoad.Case(
        name,
        done -> {
          calls.add(name);
          done.done(true);
        });
  }

  /** The calls with consecutive repeats folded: which case ran when. */
  private static List<String> blocks(List<String> calls) {
    List<String> blocks = new ArrayList<>();
    for (String call : calls) {
      if (blocks.isEmpty() || !blocks.get(blocks.size() - 1).equals(call)) {
        blocks.add(call);
      }
    }
    return blocks;
  }

  @Test
  void run_threeRounds_rotatesWhichCaseGoesFirst() throws Exception {
    List<String> calls = Collections.synchronizedList(new ArrayList<>());
    InterleavedLoad load = new InterleavedLoad(1_000, Duration.ZERO, Duration.ofMillis(300), 3);

    load.run(List.of(ok("a", calls), ok("b", calls)), line -> calls.add("|"));

    assertThat(String.join("", blocks(calls))).isEqualTo("|ab|ba|ab");
  }

  @Test
  void run_twoCases_measuresEachAtTheRateInOrderGiven() throws Exception {
    List<String> calls = Collections.synchronizedList(new ArrayList<>());
    InterleavedLoad load = new InterleavedLoad(1_000, Duration.ZERO, Duration.ofMillis(200), 2);

    List<InterleavedLoad.Measured> measured =
        load.run(List.of(ok("a", calls), ok("b", calls)), line -> {});

    assertThat(measured).extracting(InterleavedLoad.Measured::name).containsExactly("a", "b");
    for (InterleavedLoad.Measured m : measured) {
      assertThat(m.sent()).isBetween(100L, 200L);
      assertThat(m.latencies().count()).isEqualTo((int) m.sent());
      assertThat(m.failures()).isZero();
      assertThat(m.wall()).isGreaterThanOrEqualTo(Duration.ofMillis(200));
      assertThat(m.perSecond()).isBetween(250.0, 1_000.0);
    }
  }

  @Test
  void run_failedCalls_countedNotTimed() throws Exception {
    InterleavedLoad load = new InterleavedLoad(1_000, Duration.ZERO, Duration.ofMillis(100), 1);
    List<String> progress = new ArrayList<>();

    InterleavedLoad.Measured measured =
        load.run(List.of(new InterleavedLoad.Case("bad", done -> done.done(false))), progress::add)
            .get(0);

    assertThat(measured.failures()).isEqualTo(measured.sent()).isPositive();
    assertThat(measured.latencies().count()).isZero();
    assertThat(progress).anyMatch(line -> line.startsWith("bad: ") && line.contains("failed"));
  }

  @Test
  void run_withListener_toldOfRoundsAfterWarmUpAndOfEverySlice() throws Exception {
    List<String> calls = Collections.synchronizedList(new ArrayList<>());
    InterleavedLoad load =
        new InterleavedLoad(1_000, Duration.ofMillis(100), Duration.ofMillis(200), 2);

    load.run(
        List.of(ok("a", calls), ok("b", calls)),
        line -> {},
        new InterleavedLoad.Listener() {
          @Override
          public void beforeRounds() {
            calls.add("|");
          }

          @Override
          public void beforeSlice(int index) {
            calls.add("<" + index);
          }

          @Override
          public void afterSlice(int index) {
            calls.add(index + ">");
          }
        });

    assertThat(String.join("", blocks(calls))).isEqualTo("ab|<0a0><1b1><1b1><0a0>");
  }

  @Test
  void new_zeroRounds_throws() {
    assertThatThrownBy(() -> new InterleavedLoad(10, Duration.ZERO, Duration.ofSeconds(1), 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("rounds");
  }
}
