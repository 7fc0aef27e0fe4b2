package dev.meshwork.gateway.internal;

import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpHeaders;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.server.ServiceRequestContext;
import com.linecorp.armeria.server.grpc.UnframedGrpcErrorHandler;
import io.grpc.Metadata;
import io.grpc.Status;
import java.util.Base64;

/**
 * Turns a failed transcoded call into the gateway's JSON error: the status and its {@code
 * grpc-status-details-bin} go through core's client-side mapper ({@code GrpcErrors}), so the reason
 * and field violations an upstream service raised reach the HTTP client unchanged.
 */
public final class TranscodingErrorHandler implements UnframedGrpcErrorHandler {

  private static final Metadata.Key<byte[]> STATUS_DETAILS =
      Metadata.Key.of("grpc-status-details-bin", Metadata.BINARY_BYTE_MARSHALLER);

  @Override
  public HttpResponse handle(
      ServiceRequestContext ctx, Status status, AggregatedHttpResponse response) {
    // A trailers-only response carries the status in its headers.
    HttpHeaders trailers = response.trailers().isEmpty() ? response.headers() : response.trailers();
    Metadata metadata = new Metadata();
    String details = trailers.get("grpc-status-details-bin");
    if (details != null && !details.isEmpty()) {
      try {
        metadata.put(STATUS_DETAILS, Base64.getDecoder().decode(padded(details)));
      } catch (IllegalArgumentException ignored) {
        // Undecodable details: answer with the bare status.
      }
    }
    return ErrorResponses.of(status.asRuntimeException(metadata)).toResponse().toHttpResponse();
  }

  /** gRPC sends binary headers as unpadded base64. */
  private static String padded(String base64) {
    int rest = base64.length() % 4;
    return rest == 0 ? base64 : base64 + "=".repeat(4 - rest);
  }
}
