package dev.meshwork.observability;

import java.util.logging.Handler;
import java.util.logging.LogManager;
import java.util.logging.Logger;

/**
 * A {@link LogManager} that keeps logging working while the process shuts down. Enable it on the
 * command line (it must be chosen before anything logs):
 *
 * <pre>
 * java -Djava.util.logging.manager=dev.meshwork.observability.MeshLogManager ...
 * </pre>
 *
 * <p>The JDK's own shutdown hook resets the standard LogManager, closing and removing every
 * handler, concurrently with the application's hooks. A server draining its calls from {@link
 * MeshTelemetry#onExit} would then log into the void: the drain, the grace-period warning and
 * "stopped" lines vanish. This manager turns that exit-time reset into a flush; every other reset
 * (for example {@code readConfiguration}) behaves as usual. Handlers are then not closed at exit,
 * which only matters for file handlers' lock files; Meshwork logs to standard error.
 */
public class MeshLogManager extends LogManager {

  private static final String JDK_CLEANER = "java.util.logging.LogManager$Cleaner";

  /** Called by {@link LogManager} when selected with {@code java.util.logging.manager}. */
  public MeshLogManager() {
    super();
  }

  @Override
  public void reset() {
    if (Thread.currentThread().getClass().getName().equals(JDK_CLEANER)) {
      flushRootHandlers();
      return;
    }
    super.reset();
  }

  private void flushRootHandlers() {
    Logger root = getLogger("");
    if (root == null) {
      return;
    }
    for (Handler handler : root.getHandlers()) {
      handler.flush();
    }
  }
}
