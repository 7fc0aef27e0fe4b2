package dev.meshwork.agent.internal;

import java.util.logging.Level;
import java.util.logging.Logger;
import sun.misc.Signal;

/**
 * Makes SIGTERM end the process with status 0 once the shutdown hooks (drain, telemetry flush) have
 * run. The JVM's own SIGTERM handling runs the same hooks but then exits with 143, which launchers,
 * process supervisors and the cross-language conformance suite read as a failure, although SIGTERM
 * is how they ask an agent to stop and a drained stop is a success; the Python and Go agents exit 0
 * too. SIGINT keeps the JVM's handling: an interrupted run is not a success.
 */
public final class CleanExitOnSigterm {

  private static final Logger LOG = Logger.getLogger(CleanExitOnSigterm.class.getName());

  private CleanExitOnSigterm() {}

  /**
   * Replaces the JVM's SIGTERM handler by one that exits with status 0 through {@link System#exit},
   * so the shutdown hooks still run first. Only for mains: it ends the process.
   */
  public static void install() {
    try {
      Signal.handle(new Signal("TERM"), signal -> System.exit(0));
    } catch (IllegalArgumentException | UnsupportedOperationException e) {
      // No SIGTERM on this platform, or the JVM keeps it (-Xrs): the default handling stays.
      LOG.log(Level.FINE, "SIGTERM handler not installed", e);
    }
  }
}
