package dev.meshwork.gateway.internal;

import static java.util.Objects.requireNonNull;

import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.util.TimeoutMode;
import com.linecorp.armeria.server.DecoratingHttpServiceFunction;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.meshwork.core.MeshException;
import io.grpc.Deadline;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Gives each request its gRPC deadline: the client's {@code X-Request-Timeout} (or {@code
 * grpc-timeout}), else the default, never more than the maximum. The HTTP server's own request
 * timeout is set a little later than the deadline, so the upstream call's DEADLINE_EXCEEDED (a 504
 * with a JSON body) always wins the race.
 */
public final class DeadlineDecorator implements DecoratingHttpServiceFunction {

  /** How much later than the gRPC deadline the HTTP request times out. */
  static final Duration SLACK = Duration.ofSeconds(2);

  private final Duration defaultTimeout;
  private final Duration maxTimeout;

  /** Applies {@code defaultTimeout} to requests without a timeout header, up to {@code max}. */
  public DeadlineDecorator(Duration defaultTimeout, Duration maxTimeout) {
    this.defaultTimeout = requireNonNull(defaultTimeout, "defaultTimeout");
    this.maxTimeout = requireNonNull(maxTimeout, "maxTimeout");
  }

  @Override
  public HttpResponse serve(HttpService delegate, ServiceRequestContext ctx, HttpRequest req)
      throws Exception {
    Optional<Duration> asked;
    try {
      asked = asked(req);
    } catch (MeshException e) {
      return ErrorResponses.of(e).toResponse().toHttpResponse();
    }
    Duration timeout = asked.orElse(defaultTimeout);
    ctx.setAttr(
        RequestDeadline.KEY,
        new RequestDeadline(
            Deadline.after(timeout.toNanos(), TimeUnit.NANOSECONDS), asked.isPresent()));
    ctx.setRequestTimeout(TimeoutMode.SET_FROM_NOW, timeout.plus(SLACK));
    // The transcoder would otherwise apply grpc-timeout to the HTTP request a second time.
    HttpRequest forwarded =
        req.headers().contains(RequestTimeouts.GRPC_HEADER)
            ? req.withHeaders(req.headers().toBuilder().removeAndThen(RequestTimeouts.GRPC_HEADER))
            : req;
    return delegate.serve(ctx, forwarded);
  }

  private Optional<Duration> asked(HttpRequest req) {
    String header = RequestTimeouts.HEADER;
    String value = req.headers().get(header);
    if (value == null) {
      header = RequestTimeouts.GRPC_HEADER;
      value = req.headers().get(header);
    }
    if (value == null) {
      return Optional.empty();
    }
    Duration timeout;
    try {
      timeout =
          header.equals(RequestTimeouts.HEADER)
              ? RequestTimeouts.parseHuman(value)
              : RequestTimeouts.parseGrpc(value);
    } catch (IllegalArgumentException e) {
      throw MeshException.invalidArgument(header, e.getMessage());
    }
    if (timeout.compareTo(maxTimeout) > 0) {
      throw MeshException.invalidArgument(
          header, "'" + value + "' (expected: at most " + maxTimeout.toMillis() + "ms)");
    }
    return Optional.of(timeout);
  }
}
