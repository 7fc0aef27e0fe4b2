package dev.meshwork.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.linecorp.armeria.common.HttpMethod;
import org.junit.jupiter.api.Test;

class RoutePatternTest {

  @Test
  void matches_doubleStar_spansSegments() {
    RoutePattern p = RoutePattern.parse("GET /v1/**");

    assertThat(p.matches(HttpMethod.GET, "/v1/runs/r1/events")).isTrue();
    assertThat(p.matches(HttpMethod.POST, "/v1/runs")).isFalse();
    assertThat(p.matches(HttpMethod.GET, "/v2/runs")).isFalse();
  }

  @Test
  void matches_singleStar_staysInOneSegment() {
    RoutePattern p = RoutePattern.parse("POST /v1/runs/*:cancel");

    assertThat(p.matches(HttpMethod.POST, "/v1/runs/r1:cancel")).isTrue();
    assertThat(p.matches(HttpMethod.POST, "/v1/runs/a/b:cancel")).isFalse();
    assertThat(p.matches(HttpMethod.POST, "/v1/runs/r1:retry")).isFalse();
  }

  @Test
  void matches_withoutMethod_allowsAny() {
    RoutePattern p = RoutePattern.parse("/v1/runs");

    assertThat(p.matches(HttpMethod.GET, "/v1/runs")).isTrue();
    assertThat(p.matches(HttpMethod.POST, "/v1/runs")).isTrue();
  }

  @Test
  void matches_regexCharactersInGlob_areLiteral() {
    RoutePattern p = RoutePattern.parse("GET /v1/a.b");

    assertThat(p.matches(HttpMethod.GET, "/v1/axb")).isFalse();
  }

  @Test
  void parse_badInput_isRejected() {
    assertThatThrownBy(() -> RoutePattern.parse("FETCH /v1/**")).hasMessageContaining("method");
    assertThatThrownBy(() -> RoutePattern.parse("GET v1")).hasMessageContaining("start with /");
    assertThatThrownBy(() -> RoutePattern.parse("GET /a /b")).hasMessageContaining("expected");
  }
}
