package dev.meshwork.core;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import com.google.rpc.RetryInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one mapping between {@link MeshException} and gRPC statuses, for both sides: servers turn
 * exceptions into a status with {@code google.rpc.ErrorInfo}, {@code BadRequest} and {@code
 * RetryInfo} details; clients read those details back. Unexpected exceptions become {@code
 * INTERNAL} with a generic message: a stack trace never goes on the wire.
 */
public final class GrpcErrors {

  /** The {@code ErrorInfo.domain} of every Meshwork error. */
  public static final String DOMAIN = "meshwork.dev";

  private static final Logger LOG = Logger.getLogger(GrpcErrors.class.getName());

  private GrpcErrors() {}

  /** Server side: the status exception (with details) a failure is answered with. */
  public static StatusRuntimeException toStatusException(Throwable failure) {
    if (failure instanceof StatusRuntimeException sre) {
      return sre;
    }
    if (failure instanceof io.grpc.StatusException se) {
      return se.getStatus().asRuntimeException(se.getTrailers());
    }
    if (failure instanceof MeshException me) {
      return StatusProto.toStatusRuntimeException(toRpcStatus(me));
    }
    LOG.log(Level.SEVERE, "unexpected failure answered as INTERNAL", failure);
    return StatusProto.toStatusRuntimeException(
        toRpcStatus(MeshException.of(ErrorCode.INTERNAL, "INTERNAL", "internal error")));
  }

  private static com.google.rpc.Status toRpcStatus(MeshException e) {
    com.google.rpc.Status.Builder status =
        com.google.rpc.Status.newBuilder()
            .setCode(Status.Code.valueOf(e.code().name()).value())
            .setMessage(e.getMessage())
            .addDetails(
                Any.pack(ErrorInfo.newBuilder().setReason(e.reason()).setDomain(DOMAIN).build()));
    if (!e.violations().isEmpty()) {
      BadRequest.Builder badRequest = BadRequest.newBuilder();
      for (FieldViolation v : e.violations()) {
        badRequest.addFieldViolations(
            BadRequest.FieldViolation.newBuilder()
                .setField(v.field())
                .setDescription(v.description()));
      }
      status.addDetails(Any.pack(badRequest.build()));
    }
    e.retryAfter()
        .ifPresent(
            d ->
                status.addDetails(
                    Any.pack(
                        RetryInfo.newBuilder()
                            .setRetryDelay(
                                com.google.protobuf.Duration.newBuilder()
                                    .setSeconds(d.getSeconds())
                                    .setNanos(d.getNano()))
                            .build())));
    return status.build();
  }

  /** Client side: the failure a status exception stands for, with its details read back. */
  public static MeshException fromStatusException(StatusRuntimeException e) {
    com.google.rpc.Status rpcStatus = StatusProto.fromThrowable(e);
    ErrorCode code = toErrorCode(e.getStatus().getCode());
    String message =
        e.getStatus().getDescription() == null
            ? e.getStatus().getCode().name()
            : e.getStatus().getDescription();
    String reason = code.name();
    List<FieldViolation> violations = new ArrayList<>();
    Duration retryAfter = null;
    if (rpcStatus != null) {
      for (Any detail : rpcStatus.getDetailsList()) {
        try {
          if (detail.is(ErrorInfo.class)) {
            reason = detail.unpack(ErrorInfo.class).getReason();
          } else if (detail.is(BadRequest.class)) {
            for (BadRequest.FieldViolation v :
                detail.unpack(BadRequest.class).getFieldViolationsList()) {
              violations.add(new FieldViolation(v.getField(), v.getDescription()));
            }
          } else if (detail.is(RetryInfo.class)) {
            com.google.protobuf.Duration d = detail.unpack(RetryInfo.class).getRetryDelay();
            retryAfter = Duration.ofSeconds(d.getSeconds(), d.getNanos());
          }
        } catch (InvalidProtocolBufferException ignored) {
          // A malformed detail from a foreign server: keep what we could read.
        }
      }
    }
    if (code == ErrorCode.INVALID_ARGUMENT && !violations.isEmpty()) {
      return MeshException.invalidArgument(reason, violations);
    }
    if (code == ErrorCode.RESOURCE_EXHAUSTED && retryAfter != null) {
      return MeshException.resourceExhausted(reason, message, retryAfter);
    }
    return MeshException.of(code, reason, message, e);
  }

  /** The reason ({@code ErrorInfo.reason}) of a status exception, if it carries one. */
  public static Optional<String> reasonOf(StatusRuntimeException e) {
    com.google.rpc.Status rpcStatus = StatusProto.fromThrowable(e);
    if (rpcStatus == null) {
      return Optional.empty();
    }
    for (Any detail : rpcStatus.getDetailsList()) {
      if (detail.is(ErrorInfo.class)) {
        try {
          return Optional.of(detail.unpack(ErrorInfo.class).getReason());
        } catch (InvalidProtocolBufferException ignored) {
          return Optional.empty();
        }
      }
    }
    return Optional.empty();
  }

  private static ErrorCode toErrorCode(Status.Code code) {
    return switch (code) {
      case INVALID_ARGUMENT -> ErrorCode.INVALID_ARGUMENT;
      case NOT_FOUND -> ErrorCode.NOT_FOUND;
      case ALREADY_EXISTS -> ErrorCode.ALREADY_EXISTS;
      case PERMISSION_DENIED -> ErrorCode.PERMISSION_DENIED;
      case UNAUTHENTICATED -> ErrorCode.UNAUTHENTICATED;
      case RESOURCE_EXHAUSTED -> ErrorCode.RESOURCE_EXHAUSTED;
      case FAILED_PRECONDITION -> ErrorCode.FAILED_PRECONDITION;
      case OUT_OF_RANGE -> ErrorCode.OUT_OF_RANGE;
      case ABORTED -> ErrorCode.ABORTED;
      case UNAVAILABLE -> ErrorCode.UNAVAILABLE;
      case DEADLINE_EXCEEDED -> ErrorCode.DEADLINE_EXCEEDED;
      case CANCELLED -> ErrorCode.CANCELLED;
      default -> ErrorCode.INTERNAL;
    };
  }
}
