package dev.meshwork.agent.internal;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.health.v1.HealthGrpc;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Ends the clients' {@code grpc.health.v1.Health/Watch} streams when the agent drains.
 *
 * <p>Every mesh client keeps such a stream open (client-side health checking). A graceful server
 * shutdown waits for all open calls, so without this the agent would always wait out its whole
 * grace period for streams that never end. Once the clients have seen NOT_SERVING the streams
 * have done their job: {@link #closeAll()} ends them, and refuses new ones, with UNAVAILABLE.
 */
public final class HealthWatchCloser implements ServerInterceptor {

  private static final String WATCH = HealthGrpc.getWatchMethod().getFullMethodName();

  private final Set<GuardedCall<?, ?>> open = ConcurrentHashMap.newKeySet();
  private volatile boolean closing;

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    if (!call.getMethodDescriptor().getFullMethodName().equals(WATCH)) {
      return next.startCall(call, headers);
    }
    if (closing) {
      call.close(shuttingDown(), new Metadata());
      return new ServerCall.Listener<>() {};
    }
    GuardedCall<ReqT, RespT> guarded = new GuardedCall<>(call);
    open.add(guarded);
    ServerCall.Listener<ReqT> listener = next.startCall(guarded, headers);
    if (closing) {
      guarded.end(); // closeAll ran while the call was starting
    }
    return listener;
  }

  /** Ends every open watch and refuses new ones. */
  public void closeAll() {
    closing = true;
    for (GuardedCall<?, ?> call : open) {
      call.end();
    }
  }

  private static Status shuttingDown() {
    return Status.UNAVAILABLE.withDescription("agent shutting down");
  }

  /** A call whose messages and close are serialized, so that it can be ended from outside. */
  private final class GuardedCall<ReqT, RespT> extends SimpleForwardingServerCall<ReqT, RespT> {
    private boolean closed;

    GuardedCall(ServerCall<ReqT, RespT> delegate) {
      super(delegate);
    }

    @Override
    public synchronized void sendMessage(RespT message) {
      if (!closed) {
        super.sendMessage(message);
      }
    }

    @Override
    public synchronized void close(Status status, Metadata trailers) {
      if (closed) {
        return;
      }
      closed = true;
      open.remove(this);
      super.close(status, trailers);
    }

    synchronized void end() {
      close(shuttingDown(), new Metadata());
    }
  }
}
