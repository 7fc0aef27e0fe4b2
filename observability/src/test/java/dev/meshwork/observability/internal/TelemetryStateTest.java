package dev.meshwork.observability.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.OpenTelemetry;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TelemetryStateTest {

  @Test
  void withoutClientSpans_instrumentedState_onlyTheClientInterceptorBecomesPropagating() {
    TelemetryState traced = TelemetryState.borrowed("gateway", OpenTelemetry.noop());

    TelemetryState spanless = traced.withoutClientSpans();

    assertThat(traced.clientInterceptor()).isNotInstanceOf(PropagatingClientInterceptor.class);
    assertThat(spanless.clientInterceptor()).isInstanceOf(PropagatingClientInterceptor.class);
    assertThat(spanless.serverInterceptor()).isSameAs(traced.serverInterceptor());
    assertThat(spanless.openTelemetry()).isSameAs(traced.openTelemetry());
    assertThat(spanless.serviceName()).isEqualTo("gateway");
    assertThat(spanless.metricsEndpoint()).isEqualTo(Optional.empty());
    assertThat(spanless.shutdown()).isSameAs(traced.shutdown());
  }
}
