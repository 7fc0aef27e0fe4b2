package dev.meshwork.gateway.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.common.annotation.Nullable;
import com.linecorp.armeria.server.ServerErrorHandler;
import com.linecorp.armeria.server.ServiceConfig;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.meshwork.core.MeshException;
import io.grpc.Status;

/**
 * Renders the errors the HTTP server raises on its own (no route, wrong method, body too large, a
 * request body that is not JSON, a domain failure thrown at the edge) as the same JSON error body
 * upstream failures get. Returns null for what it does not know, leaving it to the default.
 */
public final class GatewayErrorHandler implements ServerErrorHandler {

  @Override
  public @Nullable HttpResponse onServiceException(ServiceRequestContext ctx, Throwable cause) {
    MeshException mesh = find(cause, MeshException.class);
    if (mesh != null) {
      return ErrorResponses.of(mesh).toResponse().toHttpResponse();
    }
    return null;
  }

  @Override
  public @Nullable AggregatedHttpResponse renderStatus(
      @Nullable ServiceRequestContext ctx,
      ServiceConfig config,
      @Nullable RequestHeaders headers,
      HttpStatus status,
      @Nullable String description,
      @Nullable Throwable cause) {
    if (status.isContentAlwaysEmpty() || status.isSuccess()) {
      return null;
    }
    JsonProcessingException badJson = find(cause, JsonProcessingException.class);
    if (badJson != null) {
      return ErrorResponses.of(JsonViolations.malformed(badJson)).toResponse();
    }
    Status.Code code = ErrorResponses.grpcCode(status);
    String message = messageOf(status, description, cause);
    return ErrorResponses.of(status, code, reasonOf(status), message).toResponse();
  }

  private static String reasonOf(HttpStatus status) {
    return switch (status.code()) {
      case 404 -> "ROUTE_NOT_FOUND";
      case 405 -> "METHOD_NOT_ALLOWED";
      case 413 -> "REQUEST_TOO_LARGE";
      case 431 -> "HEADERS_TOO_LARGE";
      case 415 -> "UNSUPPORTED_MEDIA_TYPE";
      default -> ErrorResponses.grpcCode(status).name();
    };
  }

  private static String messageOf(
      HttpStatus status, @Nullable String description, @Nullable Throwable cause) {
    if (description != null && !description.isBlank()) {
      return description;
    }
    // The transcoder's 400s carry what went wrong in the cause (for example a missing
    // content type); other causes are internal and stay in the server log.
    if (status.code() == 400 && cause != null) {
      Throwable reported = cause.getCause() != null ? cause.getCause() : cause;
      if (reported.getMessage() != null) {
        return reported.getMessage();
      }
    }
    return status.reasonPhrase();
  }

  private static <T extends Throwable> @Nullable T find(@Nullable Throwable cause, Class<T> type) {
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return null;
  }
}
