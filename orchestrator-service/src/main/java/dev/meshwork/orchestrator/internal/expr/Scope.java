package dev.meshwork.orchestrator.internal.expr;

/**
 * The values an expression may read, as JSON-like Java values: {@code Map<String, Object>}, {@code
 * List<Object>}, {@code String}, {@code Double}, {@code Boolean} or {@code null}.
 */
public interface Scope {

  /** The run input (a map). */
  Object input();

  /** True when {@code stepId} has an output (it completed). */
  boolean hasOutput(String stepId);

  /** The output of a completed step; null when it has none. */
  Object stepOutput(String stepId);

  /** True inside a for_each element. */
  boolean hasItem();

  /** The current for_each element. */
  Object item();
}
