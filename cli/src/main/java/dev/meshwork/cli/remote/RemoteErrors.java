package dev.meshwork.cli.remote;

import dev.meshwork.cli.MeshctlException;
import dev.meshwork.core.ErrorCode;
import dev.meshwork.core.FieldViolation;
import dev.meshwork.core.GrpcErrors;
import dev.meshwork.core.MeshException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import javax.net.ssl.SSLException;

/**
 * Turns a failed call into the error meshctl prints: the code and message on one line, then the
 * field violations one per line, indented. Server errors are read with core's {@link
 * GrpcErrors#fromStatusException}; transport failures (UNAVAILABLE or DEADLINE_EXCEEDED without an
 * {@code ErrorInfo} from a Meshwork server) get a hint instead of gRPC's wording.
 */
public final class RemoteErrors {

  private RemoteErrors() {}

  /** The error to report for {@code e}, raised by a call to {@code server}. */
  public static MeshctlException failure(
      ConnectionSettings settings, Server server, StatusRuntimeException e) {
    return MeshctlException.failure(describe(settings, server, e), e);
  }

  /** The message for {@code e}; several lines when it carries field violations. */
  static String describe(ConnectionSettings settings, Server server, StatusRuntimeException e) {
    String where = "the " + server.displayName() + " at " + settings.address(server);
    boolean fromServer = GrpcErrors.reasonOf(e).isPresent();
    Status.Code code = e.getStatus().getCode();
    if (code == Status.Code.UNAVAILABLE && !fromServer) {
      SSLException tls = tlsCause(e);
      if (tls != null) {
        return "TLS handshake with "
            + where
            + " failed: "
            + tls.getMessage()
            + " (check"
            + " --cert-dir and --identity, or pass --insecure for a plaintext dev mesh)";
      }
      return "cannot reach " + where + " (is it running? ./mesh up)";
    }
    if (code == Status.Code.DEADLINE_EXCEEDED && !fromServer) {
      return "DEADLINE_EXCEEDED: no answer from "
          + where
          + " within "
          + seconds(settings.timeout())
          + " (raise --timeout)";
    }
    MeshException error = GrpcErrors.fromStatusException(e);
    StringBuilder message = new StringBuilder(error.code().name()).append(": ");
    if (error.code() == ErrorCode.INVALID_ARGUMENT && !error.violations().isEmpty()) {
      int count = error.violations().size();
      message
          .append("the ")
          .append(server.displayName())
          .append(" rejected the request (")
          .append(count)
          .append(count == 1 ? " field violation)" : " field violations)");
    } else {
      message.append(error.getMessage());
      if (!error.reason().equals(error.code().name())) {
        message.append(" [").append(error.reason()).append(']');
      }
    }
    error.retryAfter().ifPresent(d -> message.append(" (retry in ").append(seconds(d)).append(')'));
    if (error.code() == ErrorCode.PERMISSION_DENIED || error.code() == ErrorCode.UNAUTHENTICATED) {
      message
          .append(" (calling as ")
          .append(settings.insecure() ? "nobody: --insecure" : settings.identity().kindAndName())
          .append(')');
    }
    for (FieldViolation violation : error.violations()) {
      message.append("\n  ").append(violation.field()).append(": ").append(violation.description());
    }
    return message.toString();
  }

  private static SSLException tlsCause(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SSLException ssl) {
        return ssl;
      }
    }
    return null;
  }

  private static String seconds(Duration d) {
    if (d.toMillis() % 1000 == 0) {
      return d.toSeconds() + "s";
    }
    return d.toMillis() + "ms";
  }
}
