package dev.meshwork.gateway.internal;

import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.logging.RequestLog;
import com.linecorp.armeria.server.DecoratingHttpServiceFunction;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.grpc.Status;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One log line per API request: method, path (no query string), status (499 when the client went
 * away before the answer), latency and the name of the API key that made it. Never the key, never a
 * header: what identifies a caller in the log is the name the key file gives its key.
 */
public final class AccessLogDecorator implements DecoratingHttpServiceFunction {

  private static final Logger LOG = Logger.getLogger("dev.meshwork.gateway.access");

  @Override
  public HttpResponse serve(HttpService delegate, ServiceRequestContext ctx, HttpRequest req)
      throws Exception {
    if (LOG.isLoggable(Level.INFO)) {
      ctx.log().whenComplete().thenAccept(log -> LOG.info(() -> line(ctx, log)));
    }
    return delegate.serve(ctx, req);
  }

  /**
   * The status sent, or the one a cancellation maps to (499, nginx's "client closed request") when
   * the client went away first: the server then records a 500 that no one received and that was no
   * fault of the gateway's.
   */
  private static int status(ServiceRequestContext ctx, RequestLog log) {
    return ctx.isCancelled()
        ? ErrorResponses.httpStatus(Status.Code.CANCELLED).code()
        : log.responseHeaders().status().code();
  }

  private static String line(ServiceRequestContext ctx, RequestLog log) {
    String key = ctx.attr(ApiKeyAuthDecorator.KEY_NAME);
    long micros = TimeUnit.NANOSECONDS.toMicros(log.totalDurationNanos());
    // Built by hand: String.format parsed its pattern on every request.
    long fraction = micros % 1000;
    String padding = fraction < 10 ? "00" : fraction < 100 ? "0" : "";
    return log.requestHeaders().method()
        + " "
        + ctx.path()
        + " "
        + status(ctx, log)
        + " "
        + (micros / 1000)
        + "."
        + padding
        + fraction
        + "ms key="
        + (key == null ? "-" : key);
  }
}
