package dev.meshwork.core;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects every problem of a request before failing, so a client sees all of them at once.
 *
 * <pre>{@code
 * Violations v = new Violations();
 * v.check(ttl > 0, "lease_ttl", "ttl: " + ttl + " (expected: > 0)");
 * v.throwIfAny();
 * }</pre>
 */
public final class Violations {

  private final List<FieldViolation> violations = new ArrayList<>();

  /** Records a violation of {@code field} unless {@code ok}; returns {@code ok}. */
  public boolean check(boolean ok, String field, String description) {
    if (!ok) {
      add(field, description);
    }
    return ok;
  }

  /** Records a violation. */
  public Violations add(String field, String description) {
    violations.add(new FieldViolation(field, description));
    return this;
  }

  /** True when nothing was recorded. */
  public boolean isEmpty() {
    return violations.isEmpty();
  }

  /** The violations so far. */
  public List<FieldViolation> list() {
    return List.copyOf(violations);
  }

  /** Throws {@link MeshException#invalidArgument(List)} when any violation was recorded. */
  public void throwIfAny() {
    if (!violations.isEmpty()) {
      throw MeshException.invalidArgument(violations);
    }
  }
}
