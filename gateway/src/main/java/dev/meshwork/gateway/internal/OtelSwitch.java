package dev.meshwork.gateway.internal;

/**
 * Whether the OpenTelemetry SDK is switched off, read from the same two places the SDK's
 * autoconfiguration reads: the {@code otel.sdk.disabled} system property, else the {@code
 * OTEL_SDK_DISABLED} variable. The gateway uses it to leave out its per-call client span, which
 * with the SDK off is created, timed and measured (message sizes included) only to be dropped.
 */
public final class OtelSwitch {

  private OtelSwitch() {}

  /** True when the SDK is disabled in this process. */
  public static boolean sdkDisabled() {
    return sdkDisabled(System.getProperty("otel.sdk.disabled"), System.getenv("OTEL_SDK_DISABLED"));
  }

  /** True when {@code property}, else {@code variable}, says {@code true} (any case). */
  static boolean sdkDisabled(String property, String variable) {
    String value = property != null ? property : variable;
    return value != null && Boolean.parseBoolean(value.trim());
  }
}
