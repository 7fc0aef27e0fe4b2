package dev.meshwork.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
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
  void run_caseWithBackground_runsItAlongsideOnlyThatCaseAndCountsIt() throws Exception {
    List<String> calls = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger backgroundDuringA = new AtomicInteger();
    AtomicInteger backgroundDuringB = new AtomicInteger();
    AtomicReference<String> running = new AtomicReference<>("");
    InterleavedLoad.Case a =
        new InterleavedLoad.Case(
            "a",
            done -> {
              running.set("a");
              done.done(true);
            },
            Optional.of(
                new InterleavedLoad.Background(
                    2_000,
                    done -> {
                      (running.get().equals("a") ? backgroundDuringA : backgroundDuringB)
                          .incrementAndGet();
                      done.done(true);
                    })));
    InterleavedLoad.Case b =
        new InterleavedLoad.Case(
            "b",
            done -> {
              running.set("b");
              done.done(true);
            });
    InterleavedLoad load = new InterleavedLoad(500, Duration.ZERO, Duration.ofMillis(400), 2);

    List<InterleavedLoad.Measured> measured = load.run(List.of(a, b), calls::add);

    assertThat(measured.get(0).backgroundSent()).isBetween(400L, 800L);
    assertThat(measured.get(0).backgroundFailures()).isZero();
    assertThat(measured.get(1).backgroundSent()).isZero();
    // Background calls start only while case a's slices run (a few may straddle a's first call).
    assertThat(backgroundDuringB.get()).isLessThan(backgroundDuringA.get() / 10);
  }

  @Test
  void run_failingBackground_reportedNotCountedAsTheCasesFailures() throws Exception {
    List<String> progress = new ArrayList<>();
    InterleavedLoad.Case c =
        new InterleavedLoad.Case(
            "c",
            done -> done.done(true),
            Optional.of(new InterleavedLoad.Background(1_000, done -> done.done(false))));
    InterleavedLoad load = new InterleavedLoad(100, Duration.ZERO, Duration.ofMillis(100), 1);

    InterleavedLoad.Measured measured = load.run(List.of(c), progress::add).get(0);

    assertThat(measured.failures()).isZero();
    assertThat(measured.backgroundFailures()).isEqualTo(measured.backgroundSent()).isPositive();
    assertThat(progress).anyMatch(line -> line.contains("background calls failed"));
  }

  @Test
  void newBackground_zeroRate_throws() {
    assertThatThrownBy(() -> new InterleavedLoad.Background(0, done -> done.done(true)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("rate: 0 (expected: > 0)");
  }

  @Test
  void new_zeroRounds_throws() {
    assertThatThrownBy(() -> new InterleavedLoad(10, Duration.ZERO, Duration.ofSeconds(1), 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("rounds");
  }
}
