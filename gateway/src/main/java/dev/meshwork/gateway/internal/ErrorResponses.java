package dev.meshwork.gateway.internal;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.common.ResponseHeadersBuilder;
import dev.meshwork.core.FieldViolation;
import dev.meshwork.core.GrpcErrors;
import dev.meshwork.core.MeshException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every error the gateway answers, as HTTP: a status from the gRPC code (the mapping of {@code
 * google.rpc.Code} to HTTP that grpc-gateway and Google APIs use) and the JSON body {@code {"code",
 * "message", "reason", "fieldViolations": [{"field", "description"}]}}, plus {@code Retry-After}
 * when the failure says when to come back.
 */
public final class ErrorResponses {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private ErrorResponses() {}

  /**
   * One error.
   *
   * @param status the HTTP status
   * @param code the gRPC code name, for example {@code NOT_FOUND}
   * @param reason machine-readable, UPPER_SNAKE
   * @param message for humans
   * @param violations the bad fields, for {@code INVALID_ARGUMENT}
   * @param retryAfter when to retry, if known
   */
  public record Error(
      HttpStatus status,
      String code,
      String reason,
      String message,
      List<FieldViolation> violations,
      Optional<Duration> retryAfter) {

    /** Validates the parts. */
    public Error {
      requireNonNull(status, "status");
      requireNonNull(code, "code");
      requireNonNull(reason, "reason");
      requireNonNull(message, "message");
      violations = List.copyOf(violations);
      requireNonNull(retryAfter, "retryAfter");
    }

    /** The error as an HTTP response. */
    public AggregatedHttpResponse toResponse() {
      ResponseHeadersBuilder headers =
          ResponseHeaders.builder(status).contentType(MediaType.JSON_UTF_8);
      retryAfter.ifPresent(
          d -> headers.set(HttpHeaderNames.RETRY_AFTER, Long.toString(ceilSeconds(d))));
      return AggregatedHttpResponse.of(headers.build(), HttpData.ofUtf8(json()));
    }

    /** The JSON body. */
    public String json() {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("code", code);
      body.put("message", message);
      body.put("reason", reason);
      body.put(
          "fieldViolations",
          violations.stream()
              .map(v -> Map.of("field", v.field(), "description", v.description()))
              .toList());
      try {
        return MAPPER.writeValueAsString(body);
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("cannot write an error body", e);
      }
    }
  }

  /** The error a gRPC failure (from upstream, or raised at the edge) stands for. */
  public static Error of(StatusRuntimeException e) {
    MeshException mesh = GrpcErrors.fromStatusException(e);
    Status.Code code = e.getStatus().getCode();
    return new Error(
        httpStatus(code),
        code.name(),
        mesh.reason(),
        mesh.getMessage(),
        mesh.violations(),
        mesh.retryAfter());
  }

  /** The error a domain failure raised at the edge stands for. */
  public static Error of(MeshException e) {
    return of(GrpcErrors.toStatusException(e));
  }

  /** An error raised by the gateway itself. */
  public static Error of(HttpStatus status, Status.Code code, String reason, String message) {
    return new Error(status, code.name(), reason, message, List.of(), Optional.empty());
  }

  /** An error raised by the gateway itself that tells the client when to retry. */
  public static Error of(
      HttpStatus status, Status.Code code, String reason, String message, Duration retryAfter) {
    return new Error(
        status,
        code.name(),
        reason,
        message,
        List.of(),
        Optional.of(requireNonNull(retryAfter, "retryAfter")));
  }

  /** The HTTP status of a gRPC code. */
  public static HttpStatus httpStatus(Status.Code code) {
    return switch (code) {
      case OK -> HttpStatus.OK;
      case CANCELLED -> HttpStatus.valueOf(499);
      case INVALID_ARGUMENT, FAILED_PRECONDITION, OUT_OF_RANGE -> HttpStatus.BAD_REQUEST;
      case DEADLINE_EXCEEDED -> HttpStatus.GATEWAY_TIMEOUT;
      case NOT_FOUND -> HttpStatus.NOT_FOUND;
      case ALREADY_EXISTS, ABORTED -> HttpStatus.CONFLICT;
      case PERMISSION_DENIED -> HttpStatus.FORBIDDEN;
      case UNAUTHENTICATED -> HttpStatus.UNAUTHORIZED;
      case RESOURCE_EXHAUSTED -> HttpStatus.TOO_MANY_REQUESTS;
      case UNIMPLEMENTED -> HttpStatus.NOT_IMPLEMENTED;
      case UNAVAILABLE -> HttpStatus.SERVICE_UNAVAILABLE;
      case UNKNOWN, INTERNAL, DATA_LOSS -> HttpStatus.INTERNAL_SERVER_ERROR;
    };
  }

  /** The gRPC code an HTTP status raised by the server itself stands for. */
  public static Status.Code grpcCode(HttpStatus status) {
    return switch (status.code()) {
      case 400, 411, 413, 414, 415, 431 -> Status.Code.INVALID_ARGUMENT;
      case 401 -> Status.Code.UNAUTHENTICATED;
      case 403 -> Status.Code.PERMISSION_DENIED;
      case 404, 405 -> Status.Code.NOT_FOUND;
      case 408, 504 -> Status.Code.DEADLINE_EXCEEDED;
      case 409 -> Status.Code.ABORTED;
      case 429 -> Status.Code.RESOURCE_EXHAUSTED;
      case 501 -> Status.Code.UNIMPLEMENTED;
      case 503 -> Status.Code.UNAVAILABLE;
      default -> status.isClientError() ? Status.Code.INVALID_ARGUMENT : Status.Code.INTERNAL;
    };
  }

  private static long ceilSeconds(Duration d) {
    long seconds = d.getSeconds() + (d.getNano() > 0 ? 1 : 0);
    return Math.max(1, seconds);
  }
}
