package dev.meshwork.orchestrator.internal.engine;

/** No attempt was started because the run's budget left is below the minimum an attempt needs. */
final class RunBudgetExhaustedException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  RunBudgetExhaustedException(String message) {
    super(message);
  }
}
