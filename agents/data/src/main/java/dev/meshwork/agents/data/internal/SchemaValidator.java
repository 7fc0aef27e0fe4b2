package dev.meshwork.agents.data.internal;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Validates plain Java values (as parsed from JSON) against a subset of JSON Schema (draft
 * 2020-12 keywords): {@code type, enum, const, properties, required, additionalProperties,
 * items, minItems, maxItems, uniqueItems, minLength, maxLength, pattern, minimum, maximum,
 * exclusiveMinimum, exclusiveMaximum, multipleOf, allOf, anyOf, oneOf, not}. Other keywords are
 * ignored, as the specification asks, and listed in {@link Result#ignoredKeywords()} so that the
 * subset is never silently mistaken for the whole.
 */
public final class SchemaValidator {

  /** One violation: where (a JSON path like {@code $.items[2].name}), which keyword, what. */
  public record Violation(String path, String keyword, String message) {}

  /** The outcome. */
  public record Result(List<Violation> violations, Set<String> ignoredKeywords) {
    /** True when there are no violations. */
    public boolean valid() {
      return violations.isEmpty();
    }
  }

  private static final Set<String> SUPPORTED =
      Set.of("type", "enum", "const", "properties", "required", "additionalProperties", "items",
          "minItems", "maxItems", "uniqueItems", "minLength", "maxLength", "pattern", "minimum",
          "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "allOf", "anyOf",
          "oneOf", "not");
  // Annotations and identifiers: they constrain nothing.
  private static final Set<String> ANNOTATIONS =
      Set.of("$schema", "$id", "$comment", "title", "description", "default", "examples",
          "deprecated", "readOnly", "writeOnly", "$defs", "definitions");

  private final List<Violation> violations = new ArrayList<>();
  private final Set<String> ignored = new TreeSet<>();

  private SchemaValidator() {}

  /**
   * Validates {@code instance} against {@code schema}.
   *
   * @throws IllegalArgumentException when the schema itself is malformed (for example a {@code
   *     pattern} that is not a regular expression), naming where
   */
  public static Result validate(Object schema, Object instance) {
    SchemaValidator validator = new SchemaValidator();
    validator.check(schema, instance, "$", "#");
    return new Result(List.copyOf(validator.violations), Set.copyOf(validator.ignored));
  }

  private void check(Object schema, Object value, String path, String schemaPath) {
    if (schema instanceof Boolean allowed) {
      if (!allowed) {
        fail(path, "false", "no value is allowed here");
      }
      return;
    }
    if (!(schema instanceof Map<?, ?> s)) {
      throw new IllegalArgumentException(
          schemaPath + ": " + JsonTypes.typeOf(schema) + " (expected: a schema object or boolean)");
    }
    for (Object key : s.keySet()) {
      if (!SUPPORTED.contains(key) && !ANNOTATIONS.contains(key)) {
        ignored.add(String.valueOf(key));
      }
    }
    checkType(s.get("type"), value, path, schemaPath);
    if (s.containsKey("const") && !jsonEquals(s.get("const"), value)) {
      fail(path, "const", "must equal " + s.get("const"));
    }
    if (s.get("enum") instanceof List<?> options
        && options.stream().noneMatch(o -> jsonEquals(o, value))) {
      fail(path, "enum", "must be one of " + options);
    }
    if (value instanceof Map<?, ?> object) {
      checkObject(s, object, path, schemaPath);
    }
    if (value instanceof List<?> array) {
      checkArray(s, array, path, schemaPath);
    }
    if (value instanceof String string) {
      checkString(s, string, path, schemaPath);
    }
    if (value instanceof Number number) {
      checkNumber(s, number.doubleValue(), path);
    }
    checkCombinators(s, value, path, schemaPath);
  }

  private void checkType(Object type, Object value, String path, String schemaPath) {
    if (type == null) {
      return;
    }
    List<?> types = type instanceof List<?> list ? list : List.of(type);
    String actual = JsonTypes.typeOf(value);
    for (Object t : types) {
      if (t.equals(actual) || (t.equals("number") && actual.equals("integer"))) {
        return;
      }
    }
    fail(path, "type", "expected " + (types.size() == 1 ? types.get(0) : "one of " + types)
        + ", got " + actual);
  }

  private void checkObject(Map<?, ?> s, Map<?, ?> object, String path, String schemaPath) {
    if (s.get("required") instanceof List<?> required) {
      for (Object name : required) {
        if (!object.containsKey(name)) {
          fail(path, "required", "missing property '" + name + "'");
        }
      }
    }
    Map<?, ?> properties = s.get("properties") instanceof Map<?, ?> p ? p : Map.of();
    for (Map.Entry<?, ?> entry : object.entrySet()) {
      String child = path + "." + entry.getKey();
      Object propertySchema = properties.get(entry.getKey());
      if (propertySchema != null) {
        check(propertySchema, entry.getValue(), child,
            schemaPath + "/properties/" + entry.getKey());
      } else if (s.containsKey("additionalProperties")) {
        Object additional = s.get("additionalProperties");
        if (Boolean.FALSE.equals(additional)) {
          fail(child, "additionalProperties", "property '" + entry.getKey() + "' is not allowed");
        } else {
          check(additional, entry.getValue(), child, schemaPath + "/additionalProperties");
        }
      }
    }
  }

  private void checkArray(Map<?, ?> s, List<?> array, String path, String schemaPath) {
    if (s.get("minItems") instanceof Number min && array.size() < min.doubleValue()) {
      fail(path, "minItems", array.size() + " items (expected: at least " + fmt(min) + ")");
    }
    if (s.get("maxItems") instanceof Number max && array.size() > max.doubleValue()) {
      fail(path, "maxItems", array.size() + " items (expected: at most " + fmt(max) + ")");
    }
    if (Boolean.TRUE.equals(s.get("uniqueItems")) && new HashSet<>(array).size() < array.size()) {
      fail(path, "uniqueItems", "items are not unique");
    }
    if (s.containsKey("items")) {
      for (int i = 0; i < array.size(); i++) {
        check(s.get("items"), array.get(i), path + "[" + i + "]", schemaPath + "/items");
      }
    }
  }

  private void checkString(Map<?, ?> s, String string, String path, String schemaPath) {
    int length = string.codePointCount(0, string.length());
    if (s.get("minLength") instanceof Number min && length < min.doubleValue()) {
      fail(path, "minLength", length + " characters (expected: at least " + fmt(min) + ")");
    }
    if (s.get("maxLength") instanceof Number max && length > max.doubleValue()) {
      fail(path, "maxLength", length + " characters (expected: at most " + fmt(max) + ")");
    }
    if (s.get("pattern") instanceof String regex) {
      Pattern pattern;
      try {
        pattern = Pattern.compile(regex);
      } catch (PatternSyntaxException e) {
        throw new IllegalArgumentException(
            schemaPath + "/pattern: '" + regex + "' (expected: a regular expression)");
      }
      if (!pattern.matcher(string).find()) {
        fail(path, "pattern", "does not match " + regex);
      }
    }
  }

  private void checkNumber(Map<?, ?> s, double number, String path) {
    if (s.get("minimum") instanceof Number min && number < min.doubleValue()) {
      fail(path, "minimum", fmt(number) + " (expected: >= " + fmt(min) + ")");
    }
    if (s.get("maximum") instanceof Number max && number > max.doubleValue()) {
      fail(path, "maximum", fmt(number) + " (expected: <= " + fmt(max) + ")");
    }
    if (s.get("exclusiveMinimum") instanceof Number min && number <= min.doubleValue()) {
      fail(path, "exclusiveMinimum", fmt(number) + " (expected: > " + fmt(min) + ")");
    }
    if (s.get("exclusiveMaximum") instanceof Number max && number >= max.doubleValue()) {
      fail(path, "exclusiveMaximum", fmt(number) + " (expected: < " + fmt(max) + ")");
    }
    if (s.get("multipleOf") instanceof Number step && step.doubleValue() > 0) {
      double quotient = number / step.doubleValue();
      if (Math.abs(quotient - Math.rint(quotient)) > 1e-9) {
        fail(path, "multipleOf", fmt(number) + " (expected: a multiple of " + fmt(step) + ")");
      }
    }
  }

  private void checkCombinators(Map<?, ?> s, Object value, String path, String schemaPath) {
    if (s.get("allOf") instanceof List<?> all) {
      for (int i = 0; i < all.size(); i++) {
        check(all.get(i), value, path, schemaPath + "/allOf/" + i);
      }
    }
    if (s.get("anyOf") instanceof List<?> any) {
      long matching = countMatching(any, value, path, schemaPath + "/anyOf/");
      if (matching == 0) {
        fail(path, "anyOf", "matches none of " + any.size() + " alternatives");
      }
    }
    if (s.get("oneOf") instanceof List<?> one) {
      long matching = countMatching(one, value, path, schemaPath + "/oneOf/");
      if (matching != 1) {
        fail(path, "oneOf", "matches " + matching + " of " + one.size()
            + " alternatives (expected: exactly 1)");
      }
    }
    if (s.containsKey("not") && countMatching(List.of(s.get("not")), value, path,
        schemaPath + "/not/") == 1) {
      fail(path, "not", "must not match the 'not' schema");
    }
  }

  private long countMatching(List<?> schemas, Object value, String path, String schemaPath) {
    long matching = 0;
    for (int i = 0; i < schemas.size(); i++) {
      SchemaValidator sub = new SchemaValidator();
      sub.check(schemas.get(i), value, path, schemaPath + i);
      ignored.addAll(sub.ignored);
      if (sub.violations.isEmpty()) {
        matching++;
      }
    }
    return matching;
  }

  private void fail(String path, String keyword, String message) {
    violations.add(new Violation(path, keyword, message));
  }

  private static boolean jsonEquals(Object a, Object b) {
    if (a instanceof Number x && b instanceof Number y) {
      return x.doubleValue() == y.doubleValue();
    }
    return Objects.equals(a, b);
  }

  private static String fmt(Object number) {
    double d = ((Number) number).doubleValue();
    return d == Math.rint(d) && Math.abs(d) < 1e15 ? String.valueOf((long) d) : String.valueOf(d);
  }
}
