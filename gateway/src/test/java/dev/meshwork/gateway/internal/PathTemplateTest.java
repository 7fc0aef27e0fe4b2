package dev.meshwork.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PathTemplateTest {

  @Test
  void parse_variableAndVerb_splitsSegments() {
    PathTemplate t = PathTemplate.parse("/v1/runs/{run_id}:cancel");

    assertThat(t.segments()).containsExactly("v1", "runs", "{run_id}");
    assertThat(t.verb()).isEqualTo("cancel");
    assertThat(t.variables()).containsExactly("run_id");
  }

  @Test
  void parse_verbWithoutVariables_keepsVerb() {
    PathTemplate t = PathTemplate.parse("/v1/instances:watch");

    assertThat(t.verb()).isEqualTo("watch");
    assertThat(t.armeriaPattern()).isEqualTo("exact:/v1/instances:watch");
  }

  @Test
  void parse_multiSegmentVariable_isRejected() {
    assertThatThrownBy(() -> PathTemplate.parse("/v1/{name=projects/*}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not supported");
  }

  @Test
  void match_decodesVariables() {
    PathTemplate t = PathTemplate.parse("/v1/runs/{run_id}/events");

    assertThat(t.match("/v1/runs/a%20b+c/events")).contains(Map.of("run_id", "a b+c"));
    assertThat(t.match("/v1/runs//events")).isEmpty();
    assertThat(t.match("/v1/runs/a/b/events")).isEmpty();
  }

  @Test
  void match_verbMustBePresent() {
    PathTemplate t = PathTemplate.parse("/v1/runs/{run_id}:retry");

    assertThat(t.match("/v1/runs/r1:retry")).contains(Map.of("run_id", "r1"));
    assertThat(t.match("/v1/runs/r1")).isEmpty();
  }

  @Test
  void armeriaPattern_withVariables_isAnchoredRegex() {
    assertThat(PathTemplate.parse("/v1/runs/{run_id}/events").armeriaPattern())
        .isEqualTo("regex:^/\\Qv1\\E/\\Qruns\\E/[^/:]+/\\Qevents\\E$");
  }
}
