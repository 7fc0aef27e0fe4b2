package dev.meshwork.core;

/**
 * The canonical error codes domain code may raise. They mirror gRPC status codes by name, so that
 * domain logic never imports {@code io.grpc} and the one server-side mapper translates them.
 */
public enum ErrorCode {
  /** The request is malformed; field violations say where. */
  INVALID_ARGUMENT,
  /** The addressed entity does not exist. */
  NOT_FOUND,
  /** The entity to create exists already. */
  ALREADY_EXISTS,
  /** The caller's identity may not do this. */
  PERMISSION_DENIED,
  /** The caller presented no acceptable identity. */
  UNAUTHENTICATED,
  /** A limit is reached; retry later (see the retry delay). */
  RESOURCE_EXHAUSTED,
  /** The entity is not in a state that allows the operation. */
  FAILED_PRECONDITION,
  /** A position (revision, sequence) is outside what the server holds. */
  OUT_OF_RANGE,
  /** The operation was aborted (for example a concurrency conflict); retry. */
  ABORTED,
  /** The service is temporarily unavailable; retry. */
  UNAVAILABLE,
  /** The deadline passed before the operation finished. */
  DEADLINE_EXCEEDED,
  /** The operation was cancelled. */
  CANCELLED,
  /** A bug or an unexpected failure. */
  INTERNAL
}
