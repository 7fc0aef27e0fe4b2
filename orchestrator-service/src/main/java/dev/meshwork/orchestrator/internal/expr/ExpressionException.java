package dev.meshwork.orchestrator.internal.expr;

/**
 * An expression or template that cannot be parsed or evaluated. The message says what is wrong and
 * where (a character offset), in the {@code "what (expected: ...)"} style of field violations.
 */
public final class ExpressionException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** A failure with a message. */
  public ExpressionException(String message) {
    super(message);
  }
}
