package dev.meshwork.orchestrator.internal.engine;

import java.time.Duration;

/**
 * An attempt did not finish within its timeout (plus a grace period for the agent's own deadline
 * status to arrive first): the engine's backstop for an invoker that ignores the deadline it was
 * given. Without a stack trace: where it was made says nothing, and it may be made often.
 */
final class AttemptTimeoutException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  AttemptTimeoutException(Duration timeout) {
    super(
        "the attempt did not finish within its timeout (" + timeout.toMillis() + "ms)",
        null,
        false,
        false);
  }
}
