package dev.meshwork.core.internal;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.concurrent.TimeUnit;

/**
 * Counts the calls a server is working on, so that a graceful shutdown waits for work and not for
 * subscriptions: methods named {@code Watch*} (health watches from client-side health checking,
 * registry and run watches) stay open by design and would otherwise hold every shutdown for the
 * whole grace period.
 */
public final class InFlightCalls implements ServerInterceptor {

  private int inFlight;

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    if (call.getMethodDescriptor().getBareMethodName() != null
        && call.getMethodDescriptor().getBareMethodName().startsWith("Watch")) {
      return next.startCall(call, headers);
    }
    increment();
    Once done = new Once();
    ServerCall<ReqT, RespT> counted =
        new SimpleForwardingServerCall<>(call) {
          @Override
          public void close(Status status, Metadata trailers) {
            try {
              super.close(status, trailers);
            } finally {
              done.run();
            }
          }
        };
    // A cancelled call (its client gone, its deadline passed) is over too, whether or not its
    // handler ever closes it: many never do, and one that is not even started yet (a unary call
    // whose request never came) cannot. Counted until close, such calls held every shutdown for
    // the whole grace period.
    return new SimpleForwardingServerCallListener<>(next.startCall(counted, headers)) {
      @Override
      public void onCancel() {
        try {
          super.onCancel();
        } finally {
          done.run();
        }
      }

      @Override
      public void onComplete() {
        try {
          super.onComplete();
        } finally {
          done.run();
        }
      }
    };
  }

  /** Takes a call off the count once, whichever way it ends first. */
  private final class Once implements Runnable {
    private boolean ran;

    @Override
    public void run() {
      synchronized (InFlightCalls.this) {
        if (!ran) {
          ran = true;
          decrement();
        }
      }
    }
  }

  private synchronized void increment() {
    inFlight++;
  }

  private synchronized void decrement() {
    inFlight--;
    notifyAll();
  }

  /** Waits until no work is in flight or {@code timeout} passed; true when none is left. */
  public synchronized boolean awaitIdle(long timeout, TimeUnit unit) throws InterruptedException {
    long deadline = System.nanoTime() + unit.toNanos(timeout);
    while (inFlight > 0) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    return true;
  }
}
