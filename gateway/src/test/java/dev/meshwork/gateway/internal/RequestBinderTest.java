package dev.meshwork.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.linecorp.armeria.common.QueryParams;
import dev.meshwork.api.orchestrator.v1.ListRunsRequest;
import dev.meshwork.api.orchestrator.v1.RunState;
import dev.meshwork.api.registry.v1.HealthState;
import dev.meshwork.api.registry.v1.ListAgentInstancesRequest;
import dev.meshwork.core.FieldViolation;
import dev.meshwork.core.MeshException;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RequestBinderTest {

  @Test
  void bind_repeatedAndScalarParameters_fillFields() {
    ListRunsRequest.Builder b = ListRunsRequest.newBuilder();

    RequestBinder.bind(
        b,
        Map.of(),
        QueryParams.of("states", "RUN_STATE_FAILED", "states", "RUN_STATE_WORKING", "pageSize", "7"),
        Set.of());

    assertThat(b.getStatesList())
        .containsExactly(RunState.RUN_STATE_FAILED, RunState.RUN_STATE_WORKING);
    assertThat(b.getPageSize()).isEqualTo(7);
  }

  @Test
  void bind_nestedPath_fillsSubMessage() {
    ListAgentInstancesRequest.Builder b = ListAgentInstancesRequest.newBuilder();

    RequestBinder.bind(
        b,
        Map.of(),
        QueryParams.of("filter.skill_id", "x", "filter.health", "HEALTH_STATE_SERVING"),
        Set.of());

    assertThat(b.getFilter().getSkillId()).isEqualTo("x");
    assertThat(b.getFilter().getHealth()).isEqualTo(HealthState.HEALTH_STATE_SERVING);
  }

  @Test
  void bind_mapField_isRefused() {
    assertThatThrownBy(
            () ->
                RequestBinder.bind(
                    ListRunsRequest.newBuilder(), Map.of(), QueryParams.of("labels", "a"), Set.of()))
        .isInstanceOf(MeshException.class)
        .satisfies(
            e ->
                assertThat(((MeshException) e).violations())
                    .extracting(FieldViolation::field)
                    .containsExactly("labels"));
  }

  @Test
  void bind_scalarGivenTwice_isRefused() {
    assertThatThrownBy(
            () ->
                RequestBinder.bind(
                    ListRunsRequest.newBuilder(),
                    Map.of(),
                    QueryParams.of("page_size", "1", "page_size", "2"),
                    Set.of()))
        .hasMessageContaining("2 times");
  }

  @Test
  void bind_ignoredParameter_isSkipped() {
    ListRunsRequest.Builder b = ListRunsRequest.newBuilder();

    RequestBinder.bind(b, Map.of(), QueryParams.of("after", "3"), Set.of("after"));

    assertThat(b.build()).isEqualTo(ListRunsRequest.getDefaultInstance());
  }
}
