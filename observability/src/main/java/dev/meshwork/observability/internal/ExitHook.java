package dev.meshwork.observability.internal;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One JVM shutdown hook that first runs the registered actions (draining gRPC servers) and then
 * flushes telemetry. The JVM starts shutdown hooks concurrently and in no order, so separate hooks
 * for the server and the SDK would lose the spans of the calls still draining.
 */
public final class ExitHook {

  private static final Logger LOG = Logger.getLogger(ExitHook.class.getName());
  private static final ExitHook JVM =
      new ExitHook(thread -> Runtime.getRuntime().addShutdownHook(thread));

  private final Consumer<Thread> registrar;
  private final List<Runnable> beforeFlush = new CopyOnWriteArrayList<>();
  private final AtomicBoolean registered = new AtomicBoolean();
  private volatile Runnable flush = () -> {};

  /** A hook that hands its thread to {@code registrar} on first use (tests run it directly). */
  public ExitHook(Consumer<Thread> registrar) {
    this.registrar = requireNonNull(registrar, "registrar");
  }

  /** The hook registered with the JVM. */
  public static ExitHook jvm() {
    return JVM;
  }

  /** Runs {@code action} at exit, in registration order, before the flush. */
  public void beforeFlush(Runnable action) {
    beforeFlush.add(requireNonNull(action, "action"));
    ensureRegistered();
  }

  /** Sets what flushes telemetry at exit, after every before-flush action. */
  public void flushWith(Runnable flush) {
    this.flush = requireNonNull(flush, "flush");
    ensureRegistered();
  }

  /** Runs the actions, then the flush; an action that fails does not stop the rest. */
  public void run() {
    for (Runnable action : beforeFlush) {
      try {
        action.run();
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "exit action failed", e);
      }
    }
    flush.run();
  }

  private void ensureRegistered() {
    if (registered.compareAndSet(false, true)) {
      registrar.accept(new Thread(this::run, "meshwork-exit"));
    }
  }
}
