package dev.meshwork.agents.echo.internal;

import dev.meshwork.agent.Parts;
import dev.meshwork.api.common.v1.Part;
import dev.meshwork.core.Violations;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What {@code java.slow} is asked to do: {@code steps} steps of {@code delayMs} each.
 *
 * @param steps number of steps, 1..{@value #MAX_STEPS}
 * @param delayMs time per step in milliseconds, 0..{@value #MAX_DELAY_MS}
 */
record SlowParams(int steps, int delayMs) {

  static final int MAX_STEPS = 1000;
  static final int MAX_DELAY_MS = 60_000;

  /** Ten steps of 200 ms, like py.slow and go.slow. */
  static final SlowParams DEFAULT = new SlowParams(10, 200);

  SlowParams {
    if (steps < 1 || steps > MAX_STEPS || delayMs < 0 || delayMs > MAX_DELAY_MS) {
      throw new IllegalArgumentException(
          "steps "
              + steps
              + ", delayMs "
              + delayMs
              + " (expected: 1.."
              + MAX_STEPS
              + ", 0.."
              + MAX_DELAY_MS
              + ")");
    }
  }

  /**
   * Reads the input: a data part {@code {"steps": n, "delay_ms": d}} or a text part holding the
   * number of steps; what is not given keeps its default.
   *
   * @throws dev.meshwork.core.MeshException INVALID_ARGUMENT naming every bad field
   */
  static SlowParams parse(List<Part> input) {
    int steps = DEFAULT.steps();
    int delayMs = DEFAULT.delayMs();
    Violations violations = new Violations();
    for (int i = 0; i < input.size(); i++) {
      Part part = input.get(i);
      if (part.hasData()) {
        // Sorted so that a report of several bad fields reads the same on every call.
        Map<String, Object> fields = new TreeMap<>(Parts.toMap(part.getData()));
        for (Map.Entry<String, Object> field : fields.entrySet()) {
          String name = "input[" + i + "].data." + field.getKey();
          switch (field.getKey()) {
            case "steps" ->
                steps = integer(field.getValue(), 1, MAX_STEPS, steps, name, violations);
            case "delay_ms" ->
                delayMs = integer(field.getValue(), 0, MAX_DELAY_MS, delayMs, name, violations);
            default -> violations.add(name, "unknown field (expected: steps, delay_ms)");
          }
        }
      } else if (part.hasText() && !part.getText().isBlank()) {
        Integer n = parseSteps(part.getText().strip());
        if (violations.check(
            n != null,
            "input[" + i + "].text",
            "'" + part.getText() + "' (expected: a number of steps 1.." + MAX_STEPS + ")")) {
          steps = n;
        }
      }
    }
    violations.throwIfAny();
    return new SlowParams(steps, delayMs);
  }

  private static int integer(
      Object value, int min, int max, int fallback, String field, Violations violations) {
    // JSON numbers arrive as doubles; 2.0 is the integer 2, 2.5 and "2" are not integers.
    boolean ok = value instanceof Double d && d == Math.rint(d) && d >= min && d <= max;
    violations.check(ok, field, value + " (expected: an integer " + min + ".." + max + ")");
    return ok ? ((Double) value).intValue() : fallback;
  }

  private static Integer parseSteps(String text) {
    try {
      int n = Integer.parseInt(text);
      return n >= 1 && n <= MAX_STEPS ? n : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
