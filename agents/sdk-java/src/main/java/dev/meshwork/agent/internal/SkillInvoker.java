package dev.meshwork.agent.internal;

import static java.util.Objects.requireNonNull;

import dev.meshwork.agent.SkillStream;
import dev.meshwork.api.common.v1.Part;
import dev.meshwork.core.ErrorCode;
import dev.meshwork.core.MeshException;
import io.grpc.Context;
import io.grpc.services.CallMetricRecorder;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs one handler call on the current (gRPC) thread: counts it as in flight, interrupts the
 * thread when the call is cancelled or its deadline passes, and turns every outcome into either
 * output parts or a {@link MeshException} fit for the wire (never a stack trace).
 */
public final class SkillInvoker {

  private static final Logger LOG = Logger.getLogger(SkillInvoker.class.getName());
  private static final Executor DIRECT = Runnable::run;

  private final LoadTracker load;

  /** An invoker reporting to {@code load}. */
  public SkillInvoker(LoadTracker load) {
    this.load = requireNonNull(load, "load");
  }

  /**
   * Runs {@code skill} in the current call's context.
   *
   * @throws MeshException describing a rejected input, a failure, a cancellation or a timeout
   */
  public List<Part> invoke(
      RegisteredSkill skill, CallSkillContext context, List<Part> input, SkillStream stream) {
    Context callContext = Context.current();
    Interrupter interrupter = new Interrupter(Thread.currentThread());
    callContext.addListener(interrupter, DIRECT);
    load.callStarted();
    // Per-call ORCA extra: what the caller's load balancer could not infer from QPS alone.
    CallMetricRecorder.getCurrent().recordNamedMetric("in_flight", load.inFlight());
    try {
      context.throwIfCancelled();
      List<Part> output = skill.handler().handle(context, input, stream);
      // A handler that ignored the interrupt still must not answer a call that is over.
      context.throwIfCancelled();
      if (output == null) {
        throw MeshException.of(
            ErrorCode.INTERNAL,
            "SKILL_FAILED",
            "skill '" + skill.id() + "' failed: the handler returned no output");
      }
      return output;
    } catch (MeshException e) {
      throw e;
    } catch (Exception | AssertionError e) {
      if (context.isCancelled()) {
        // Most likely the interrupt we sent surfacing as some exception: report why.
        throw context.cancellation();
      }
      LOG.log(
          Level.WARNING,
          "skill '" + skill.id() + "' failed (idempotency key '" + context.idempotencyKey() + "')",
          e);
      String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      throw MeshException.of(
          ErrorCode.INTERNAL, "SKILL_FAILED", "skill '" + skill.id() + "' failed: " + message, e);
    } finally {
      interrupter.disarm();
      callContext.removeListener(interrupter);
      load.callFinished();
    }
  }

  /**
   * Interrupts the handler's thread when the call is cancelled, but never after the handler has
   * returned: the gRPC thread goes back to its pool and must not carry a stray interrupt.
   */
  private static final class Interrupter implements Context.CancellationListener {
    private final Thread thread;
    private boolean armed = true;

    Interrupter(Thread thread) {
      this.thread = thread;
    }

    @Override
    public synchronized void cancelled(Context context) {
      if (armed) {
        thread.interrupt();
      }
    }

    synchronized void disarm() {
      armed = false;
      // Clears an interrupt delivered while the handler ran (we are on that thread).
      Thread.interrupted();
    }
  }
}
