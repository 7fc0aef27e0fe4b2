package dev.meshwork.core;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A failure that carries what a client needs: a code, a machine-readable reason (UPPER_SNAKE, for
 * {@code google.rpc.ErrorInfo}), a message, field violations and an optional retry delay. Domain
 * code throws it; {@code GrpcErrors} turns it into a gRPC status with details.
 */
public final class MeshException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final ErrorCode code;
  private final String reason;
  private final transient List<FieldViolation> violations;
  private final transient Duration retryAfter;

  private MeshException(
      ErrorCode code,
      String reason,
      String message,
      List<FieldViolation> violations,
      Duration retryAfter,
      Throwable cause) {
    super(requireNonNull(message, "message"), cause);
    this.code = requireNonNull(code, "code");
    this.reason = requireNonNull(reason, "reason");
    this.violations = List.copyOf(violations);
    this.retryAfter = retryAfter;
  }

  /** A failure with a code, reason and message. */
  public static MeshException of(ErrorCode code, String reason, String message) {
    return new MeshException(code, reason, message, List.of(), null, null);
  }

  /** A failure with a cause (kept server-side only; never sent on the wire). */
  public static MeshException of(ErrorCode code, String reason, String message, Throwable cause) {
    return new MeshException(code, reason, message, List.of(), null, cause);
  }

  /**
   * {@code INVALID_ARGUMENT} listing every violation; the message joins their descriptions.
   *
   * @throws IllegalArgumentException when {@code violations} is empty
   */
  public static MeshException invalidArgument(List<FieldViolation> violations) {
    return invalidArgument("INVALID_ARGUMENT", violations);
  }

  /**
   * {@code INVALID_ARGUMENT} with its own reason ({@code MALFORMED_JSON}) listing every violation.
   *
   * @throws IllegalArgumentException when {@code violations} is empty
   */
  public static MeshException invalidArgument(String reason, List<FieldViolation> violations) {
    if (violations.isEmpty()) {
      throw new IllegalArgumentException("violations: [] (expected: at least one)");
    }
    String message =
        String.join(
            "; ", violations.stream().map(v -> v.field() + ": " + v.description()).toList());
    return new MeshException(ErrorCode.INVALID_ARGUMENT, reason, message, violations, null, null);
  }

  /** {@code INVALID_ARGUMENT} for one field. */
  public static MeshException invalidArgument(String field, String description) {
    return invalidArgument(List.of(new FieldViolation(field, description)));
  }

  /** {@code NOT_FOUND}: "<what> '<id>' not found". */
  public static MeshException notFound(String what, String id) {
    return of(
        ErrorCode.NOT_FOUND,
        what.toUpperCase(Locale.ROOT).replace(' ', '_') + "_NOT_FOUND",
        what + " '" + id + "' not found");
  }

  /** {@code PERMISSION_DENIED} with reason {@code PERMISSION_DENIED}. */
  public static MeshException permissionDenied(String message) {
    return of(ErrorCode.PERMISSION_DENIED, "PERMISSION_DENIED", message);
  }

  /** {@code RESOURCE_EXHAUSTED} telling the client when to retry. */
  public static MeshException resourceExhausted(
      String reason, String message, Duration retryAfter) {
    return new MeshException(
        ErrorCode.RESOURCE_EXHAUSTED,
        reason,
        message,
        List.of(),
        requireNonNull(retryAfter, "retryAfter"),
        null);
  }

  /** The error code. */
  public ErrorCode code() {
    return code;
  }

  /** The machine-readable reason, UPPER_SNAKE. */
  public String reason() {
    return reason;
  }

  /** The field violations; empty unless {@link #code()} is {@code INVALID_ARGUMENT}. */
  public List<FieldViolation> violations() {
    return violations;
  }

  /** How long the client should wait before retrying, when the server knows. */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }
}
