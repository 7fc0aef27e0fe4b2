package dev.meshwork.gateway.internal;

import static java.util.Objects.requireNonNull;

import com.linecorp.armeria.server.ServiceRequestContext;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.Status;
import io.opentelemetry.context.Scope;

/**
 * Serves a method by relaying the call, message by message, to the same method on an upstream
 * channel: one handler for every method of every service, so the gateway holds no per-RPC code.
 * Flow control is end to end (a side asks for the next message only when the other side is ready),
 * cancellation travels upstream, and the upstream status comes back with its error details ({@code
 * grpc-status-details-bin}) but without its other trailers.
 */
final class ForwardingCallHandler<ReqT, RespT> implements ServerCallHandler<ReqT, RespT> {

  private static final Metadata.Key<byte[]> STATUS_DETAILS =
      Metadata.Key.of("grpc-status-details-bin", Metadata.BINARY_BYTE_MARSHALLER);

  private final Channel upstream;
  private final MethodDescriptor<ReqT, RespT> method;

  ForwardingCallHandler(Channel upstream, MethodDescriptor<ReqT, RespT> method) {
    this.upstream = requireNonNull(upstream, "upstream");
    this.method = requireNonNull(method, "method");
  }

  @Override
  public ServerCall.Listener<ReqT> startCall(ServerCall<ReqT, RespT> serverCall, Metadata headers) {
    ServiceRequestContext ctx = ServiceRequestContext.current();
    boolean streaming = !method.getType().serverSendsOneMessage();
    ClientCall<ReqT, RespT> clientCall;
    Relay<ReqT, RespT> relay;
    try (Scope ignored = UpstreamCalls.traceContext(headers).makeCurrent()) {
      clientCall = upstream.newCall(method, UpstreamCalls.callOptions(ctx, streaming));
      relay = new Relay<>(serverCall, clientCall);
      clientCall.start(relay.responses, UpstreamCalls.forwardedHeaders(headers));
    }
    serverCall.request(1);
    clientCall.request(1);
    return relay.requests;
  }

  /**
   * The two listeners of one relayed call. Both run on the request's event loop (see {@link
   * UpstreamCalls#callOptions}), so their flags need no locking.
   */
  private static final class Relay<ReqT, RespT> {
    private final ServerCall<ReqT, RespT> serverCall;
    private final ClientCall<ReqT, RespT> clientCall;
    private final Requests requests = new Requests();
    private final Responses responses = new Responses();

    Relay(ServerCall<ReqT, RespT> serverCall, ClientCall<ReqT, RespT> clientCall) {
      this.serverCall = serverCall;
      this.clientCall = clientCall;
    }

    /** Client -> upstream. */
    private final class Requests extends ServerCall.Listener<ReqT> {
      private boolean wantsMore;

      @Override
      public void onMessage(ReqT message) {
        clientCall.sendMessage(message);
        if (clientCall.isReady()) {
          serverCall.request(1);
        } else {
          wantsMore = true;
        }
      }

      @Override
      public void onHalfClose() {
        clientCall.halfClose();
      }

      @Override
      public void onCancel() {
        clientCall.cancel("the HTTP client went away", null);
      }

      @Override
      public void onReady() {
        responses.serverReady();
      }

      void clientReady() {
        if (wantsMore) {
          wantsMore = false;
          serverCall.request(1);
        }
      }
    }

    /** Upstream -> client. */
    private final class Responses extends ClientCall.Listener<RespT> {
      private boolean wantsMore;

      @Override
      public void onHeaders(Metadata headers) {
        // Upstream headers describe the mesh hop, not the HTTP response.
        serverCall.sendHeaders(new Metadata());
      }

      @Override
      public void onMessage(RespT message) {
        serverCall.sendMessage(message);
        if (serverCall.isReady()) {
          clientCall.request(1);
        } else {
          wantsMore = true;
        }
      }

      @Override
      public void onClose(Status status, Metadata trailers) {
        Metadata kept = new Metadata();
        byte[] details = trailers.get(STATUS_DETAILS);
        if (details != null) {
          kept.put(STATUS_DETAILS, details);
        }
        serverCall.close(status, kept);
      }

      @Override
      public void onReady() {
        requests.clientReady();
      }

      void serverReady() {
        if (wantsMore) {
          wantsMore = false;
          clientCall.request(1);
        }
      }
    }
  }
}
