package dev.meshwork.orchestrator.internal.expr;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * A reference to a value: {@code input.a.b}, {@code steps.<id>.output[.<path>]} or {@code
 * item[.<path>]}. Segments are field names ({@link String}) or list indexes ({@link Integer}).
 *
 * @param root what the path starts from
 * @param stepId the referenced step for {@link Root#STEP_OUTPUT}; empty otherwise
 * @param segments the path below the root
 */
public record PathExpr(Root root, String stepId, List<Object> segments) {

  /** Where a path starts. */
  public enum Root {
    /** The run input. */
    INPUT,
    /** The output of an earlier step. */
    STEP_OUTPUT,
    /** The current element of a for_each step. */
    ITEM
  }

  /** Validates the parts. */
  public PathExpr {
    requireNonNull(root, "root");
    requireNonNull(stepId, "stepId");
    segments = List.copyOf(segments);
    if ((root == Root.STEP_OUTPUT) == stepId.isEmpty()) {
      throw new IllegalArgumentException(
          "stepId: '" + stepId + "' (expected: set exactly for STEP_OUTPUT paths)");
    }
  }

  @Override
  public String toString() {
    StringBuilder sb =
        new StringBuilder(
            switch (root) {
              case INPUT -> "input";
              case STEP_OUTPUT -> "steps." + stepId + ".output";
              case ITEM -> "item";
            });
    for (Object segment : segments) {
      if (segment instanceof Integer index) {
        sb.append('[').append(index).append(']');
      } else {
        sb.append('.').append(segment);
      }
    }
    return sb.toString();
  }
}
