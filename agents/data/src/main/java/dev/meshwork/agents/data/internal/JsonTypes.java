package dev.meshwork.agents.data.internal;

import java.util.List;
import java.util.Map;

/** JSON type names of plain Java values, as JSON Schema spells them. */
final class JsonTypes {

  private JsonTypes() {}

  /** {@code null}, {@code boolean}, {@code integer}, {@code number}, {@code string}, ... */
  static String typeOf(Object value) {
    if (value == null) {
      return "null";
    }
    if (value instanceof Boolean) {
      return "boolean";
    }
    if (value instanceof Number n) {
      double d = n.doubleValue();
      return d == Math.rint(d) && !Double.isInfinite(d) ? "integer" : "number";
    }
    if (value instanceof String) {
      return "string";
    }
    if (value instanceof List) {
      return "array";
    }
    if (value instanceof Map) {
      return "object";
    }
    return value.getClass().getSimpleName();
  }
}
