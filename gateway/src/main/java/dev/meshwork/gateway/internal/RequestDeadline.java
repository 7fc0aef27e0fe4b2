package dev.meshwork.gateway.internal;

import static java.util.Objects.requireNonNull;

import io.grpc.Deadline;
import io.netty.util.AttributeKey;

/**
 * The gRPC deadline of one HTTP request, set by {@link DeadlineDecorator} and read when the call
 * goes upstream.
 *
 * @param deadline when the upstream call must be over
 * @param explicit whether the client asked for it (a stream only gets a deadline when asked)
 */
public record RequestDeadline(Deadline deadline, boolean explicit) {

  /** Where the deadline is kept on the request context. */
  public static final AttributeKey<RequestDeadline> KEY =
      AttributeKey.valueOf(RequestDeadline.class, "deadline");

  /** Validates the parts. */
  public RequestDeadline {
    requireNonNull(deadline, "deadline");
  }
}
