package dev.meshwork.observability.internal;

import io.opentelemetry.exporter.prometheus.PrometheusHttpServer;
import java.net.URI;

/** Starts the Prometheus scrape endpoint, failing with a message that names the address. */
public final class PrometheusEndpoint {

  private PrometheusEndpoint() {}

  /**
   * Binds {@code host:port} and serves {@code /metrics}; the returned reader stops the server when
   * the meter provider shuts down.
   *
   * @throws UnavailableException when the address cannot be bound
   */
  public static PrometheusHttpServer start(String host, int port) {
    try {
      return PrometheusHttpServer.builder().setHost(host).setPort(port).build();
    } catch (RuntimeException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new UnavailableException(
          "cannot serve metrics on " + host + ":" + port + " (--metrics-port / "
              + "MESHWORK_METRICS_PORT): " + cause.getMessage(),
          e);
    }
  }

  /** The metrics address cannot be bound (in use, not local, not permitted). */
  public static final class UnavailableException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    UnavailableException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** The scrape URL of an endpoint on {@code host:port}. */
  public static URI url(String host, int port) {
    String literal = host.contains(":") ? "[" + host + "]" : host;
    return URI.create("http://" + literal + ":" + port + "/metrics");
  }
}
