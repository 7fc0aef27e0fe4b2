package dev.meshwork.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class OtlpSinkTest {

  @Test
  void export_spansFromTheSdksOtlpExporter_countsEverySpan() throws Exception {
    try (OtlpSink sink = OtlpSink.start()) {
      OtlpGrpcSpanExporter exporter =
          OtlpGrpcSpanExporter.builder().setEndpoint(sink.endpoint()).build();
      SdkTracerProvider provider =
          SdkTracerProvider.builder()
              .addSpanProcessor(BatchSpanProcessor.builder(exporter).build())
              .build();
      Tracer tracer = provider.get("test");
      for (int i = 0; i < 3; i++) {
        Span parent = tracer.spanBuilder("run").startSpan();
        try (Scope ignored = parent.makeCurrent()) {
          tracer.spanBuilder("step").startSpan().end();
        }
        parent.end();
      }

      assertThat(provider.forceFlush().join(10, TimeUnit.SECONDS).isSuccess()).isTrue();
      provider.shutdown().join(10, TimeUnit.SECONDS);

      assertThat(sink.spans()).isEqualTo(6);
      assertThat(sink.exports()).isPositive();
    }
  }

  @Test
  void countSpans_emptyRequest_isZero() {
    assertThat(OtlpSink.countSpans(new byte[0])).isZero();
  }

  @Test
  void countSpans_notProtobuf_throwsIllegalArgument() {
    // Tag 1, length-delimited, claiming 100 bytes that are not there.
    byte[] truncated = {0x0a, 100, 1, 2};

    assertThatThrownBy(() -> OtlpSink.countSpans(truncated))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not an ExportTraceServiceRequest");
  }
}
