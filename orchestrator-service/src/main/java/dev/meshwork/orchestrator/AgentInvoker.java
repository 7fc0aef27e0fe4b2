package dev.meshwork.orchestrator;

import java.util.concurrent.CompletableFuture;

/**
 * Calls agents. The engine calls it once per attempt and never blocks on it; the production
 * implementation calls {@code AgentService.Invoke} over a {@code mesh:///skill/<id>} channel, tests
 * use fakes.
 *
 * <p>Contract: the returned future completes with the output, or exceptionally with an {@link
 * AgentCallException} carrying the status code. When the engine cancels the future (run cancelled,
 * timeout), the implementation must cancel the underlying call so that the agent sees it.
 */
@FunctionalInterface
public interface AgentInvoker {

  /** Starts {@code call}; must not block. */
  CompletableFuture<AgentResult> invoke(AgentCall call);
}
