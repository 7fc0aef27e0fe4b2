package dev.meshwork.cli.runs;

import dev.meshwork.cli.CliEnvironment;

/** Links to a run's trace in the Jaeger UI. */
final class JaegerLinks {

  /** The environment variable with the Jaeger UI's base URL. */
  static final String URL_VARIABLE = "MESHWORK_JAEGER_URL";

  /** Where {@code ./mesh up} serves Jaeger. */
  static final String DEFAULT_URL = "http://127.0.0.1:16686";

  private JaegerLinks() {}

  /** {@code <base>/trace/<traceId>}, base from {@value #URL_VARIABLE}. */
  static String trace(CliEnvironment environment, String traceId) {
    String base = environment.get(URL_VARIABLE).orElse(DEFAULT_URL).strip();
    while (base.endsWith("/")) {
      base = base.substring(0, base.length() - 1);
    }
    return base + "/trace/" + traceId;
  }
}
