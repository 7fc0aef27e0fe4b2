package dev.meshwork.core.internal;

import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
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
    // gRPC ends every call's listener with exactly one of onComplete (its status was sent) or
    // onCancel (its client gone, its deadline passed). Counting until close() instead missed the
    // cancelled calls whose handler never closes them (many never do, and a unary call whose
    // request never came cannot), which held every shutdown for the whole grace period.
    ServerCall.Listener<ReqT> listener;
    try {
      listener = next.startCall(call, headers);
    } catch (RuntimeException e) {
      decrement(); // No listener, so no end event: the call never started.
      throw e;
    }
    return new SimpleForwardingServerCallListener<>(listener) {
      @Override
      public void onCancel() {
        try {
          super.onCancel();
        } finally {
          decrement();
        }
      }

      @Override
      public void onComplete() {
        try {
          super.onComplete();
        } finally {
          decrement();
        }
      }
    };
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
