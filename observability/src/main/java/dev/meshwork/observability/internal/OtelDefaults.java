package dev.meshwork.observability.internal;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code otel.*} defaults Meshwork applies below the standard configuration sources: {@code
 * OTEL_*} environment variables and {@code -Dotel.*} system properties override each of them.
 */
public final class OtelDefaults {

  /** Where spans and metrics go unless configured otherwise: a local Jaeger v2 / collector. */
  public static final String OTLP_ENDPOINT = "http://127.0.0.1:4317";

  private OtelDefaults() {}

  /** The defaults with {@code overrides} (the process's own defaults) applied on top. */
  public static Map<String, String> with(Map<String, String> overrides) {
    Map<String, String> properties = new LinkedHashMap<>();
    // 127.0.0.1 rather than the SDK's "localhost", which may resolve to ::1 first while Jaeger
    // binds IPv4 only.
    properties.put("otel.exporter.otlp.endpoint", OTLP_ENDPOINT);
    properties.put("otel.exporter.otlp.protocol", "grpc");
    // Logs go to standard error in the one-line format; Jaeger does not take OTLP logs.
    properties.put("otel.logs.exporter", "none");
    // The SDK's 2048 spans hold one second of a service at 1,000 calls/s (a client and a server
    // span each); a short collector hiccup would drop spans. 8192 buys four seconds, ~10 MB.
    properties.put("otel.bsp.max.queue.size", "8192");
    properties.putAll(overrides);
    return properties;
  }
}
