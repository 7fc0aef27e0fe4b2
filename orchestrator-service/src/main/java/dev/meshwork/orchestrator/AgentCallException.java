package dev.meshwork.orchestrator;

import static java.util.Objects.requireNonNull;

/**
 * A failed skill call, described without gRPC types: the status code name decides whether the
 * engine retries ({@code UNAVAILABLE}, {@code DEADLINE_EXCEEDED}, ... by default).
 */
public final class AgentCallException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String code;
  private final String reason;

  /**
   * A failure.
   *
   * @param code gRPC status code name, for example {@code UNAVAILABLE}
   * @param reason machine-readable reason (UPPER_SNAKE), for example {@code NO_AGENT}; may be empty
   * @param message human-readable message
   */
  public AgentCallException(String code, String reason, String message) {
    super(requireNonNull(message, "message"));
    this.code = requireNonNull(code, "code");
    this.reason = requireNonNull(reason, "reason");
  }

  /** The gRPC status code name. */
  public String code() {
    return code;
  }

  /** The machine-readable reason; empty when the agent gave none. */
  public String reason() {
    return reason;
  }
}
