package dev.meshwork.gateway.internal;

import static java.util.Objects.requireNonNull;

import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.server.DecoratingHttpServiceFunction;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.grpc.Status;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

/**
 * Serves at most a fixed number of requests at once; past it, answers 503 with {@code Retry-After}
 * without calling the service. Without such a cap an open-loop client that sends faster than the
 * gateway can relay makes it hold every waiting request (with its upstream call) in memory:
 * measured at ~900 requests/s on a 256 MiB heap, 20,000 requests piled up and the gateway stalled
 * in back-to-back full collections. A slot is held until the request's log is complete: the
 * response sent, or the client gone.
 */
public final class InFlightLimit implements DecoratingHttpServiceFunction {

  private static final String REASON = "GATEWAY_OVERLOADED";

  private static final Logger LOG = Logger.getLogger(InFlightLimit.class.getName());
  private static final Duration RETRY_AFTER = Duration.ofSeconds(1);

  private final String what;
  private final int max;
  private final AtomicInteger inFlight = new AtomicInteger();

  /**
   * A cap of {@code max} at once; {@code what} names what is counted in the refusal ("requests",
   * "event streams").
   */
  public InFlightLimit(String what, int max) {
    this.what = requireNonNull(what, "what");
    if (max < 1) {
      throw new IllegalArgumentException("max: " + max + " (expected: > 0)");
    }
    this.max = max;
  }

  @Override
  public HttpResponse serve(HttpService delegate, ServiceRequestContext ctx, HttpRequest req)
      throws Exception {
    if (inFlight.incrementAndGet() > max) {
      inFlight.decrementAndGet();
      LOG.fine(() -> "refused " + req.method() + " " + ctx.path() + ": " + max + " " + what);
      return ErrorResponses.of(
              HttpStatus.SERVICE_UNAVAILABLE,
              Status.Code.UNAVAILABLE,
              REASON,
              "the gateway is serving its limit of " + max + " " + what + " at once; retry later",
              RETRY_AFTER)
          .toResponse()
          .toHttpResponse();
    }
    // The log completes exactly once whatever happens below, a thrown exception included.
    ctx.log().whenComplete().handle((log, failure) -> inFlight.decrementAndGet());
    return delegate.serve(ctx, req);
  }
}
