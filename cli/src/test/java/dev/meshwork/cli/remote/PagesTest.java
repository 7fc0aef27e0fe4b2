package dev.meshwork.cli.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshwork.cli.remote.Pages.Page;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PagesTest {

  /** The (token, size) of every fetch. */
  private final List<String> calls = new ArrayList<>();

  @Test
  void all_threePages_followsTokensToTheEnd() {
    List<String> items =
        Pages.all(
            2,
            (token, size) -> {
              calls.add(token + "/" + size);
              return switch (token) {
                case "" -> new Page<>(List.of("a", "b"), "t1");
                case "t1" -> new Page<>(List.of("c", "d"), "t2");
                default -> new Page<>(List.of("e"), "");
              };
            });

    assertThat(items).containsExactly("a", "b", "c", "d", "e");
    assertThat(calls).containsExactly("/2", "t1/2", "t2/2");
  }

  @Test
  void upTo_limitBelowTwoPages_asksOnlyForWhatIsStillWanted() {
    List<Integer> items =
        Pages.upTo(
            5,
            3,
            (token, size) -> {
              calls.add(token + "/" + size);
              return new Page<>(List.of(1, 2, 3), "more");
            });

    assertThat(items).hasSize(5);
    assertThat(calls).containsExactly("/3", "more/2");
  }

  @Test
  void upTo_serverReturnsMoreThanAsked_trimsToLimit() {
    List<Integer> items = Pages.upTo(2, 10, (token, size) -> new Page<>(List.of(1, 2, 3), ""));

    assertThat(items).containsExactly(1, 2);
  }

  @Test
  void all_repeatedToken_stopsInsteadOfLooping() {
    List<String> items =
        Pages.all(
            1,
            (token, size) -> {
              calls.add(token);
              return new Page<>(List.of("x"), "same");
            });

    assertThat(calls).containsExactly("", "same");
    assertThat(items).containsExactly("x", "x");
  }

  @Test
  void upTo_zeroLimit_throws() {
    assertThatThrownBy(() -> Pages.upTo(0, 1, (token, size) -> new Page<>(List.of(), "")))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
