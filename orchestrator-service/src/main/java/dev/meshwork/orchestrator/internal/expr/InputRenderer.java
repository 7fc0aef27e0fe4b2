package dev.meshwork.orchestrator.internal.expr;

import com.google.protobuf.Value;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders a step's input template (a protobuf {@link Value} whose strings may hold placeholders)
 * into a Java value. A string that is exactly one placeholder becomes the value itself, keeping its
 * type; other strings interpolate their placeholders as text.
 */
public final class InputRenderer {

  private InputRenderer() {}

  /**
   * Renders {@code template}.
   *
   * @throws ExpressionException for a placeholder that does not parse or evaluate
   */
  public static Object render(Value template, Scope scope) {
    return switch (template.getKindCase()) {
      case STRING_VALUE -> renderString(template.getStringValue(), scope);
      case STRUCT_VALUE -> {
        Map<String, Object> map = new LinkedHashMap<>();
        template.getStructValue().getFieldsMap().forEach((k, v) -> map.put(k, render(v, scope)));
        yield map;
      }
      case LIST_VALUE -> {
        List<Object> list = new ArrayList<>();
        for (Value v : template.getListValue().getValuesList()) {
          list.add(render(v, scope));
        }
        yield list;
      }
      default -> Values.fromProto(template);
    };
  }

  /** Renders one string. */
  public static Object renderString(String s, Scope scope) {
    if (!Template.hasPlaceholder(s)) {
      return s;
    }
    Template template = Template.parse(s);
    Expr single = template.single();
    if (single != null) {
      return Evaluator.evaluate(single, scope);
    }
    StringBuilder sb = new StringBuilder();
    for (Template.Segment segment : template.segments()) {
      if (segment instanceof Template.Text t) {
        sb.append(t.text());
      } else {
        sb.append(
            Values.toText(Evaluator.evaluate(((Template.Placeholder) segment).expr(), scope)));
      }
    }
    return sb.toString();
  }

  /**
   * Parses a condition or for_each expression, written bare ({@code steps.a.output.ok}) or as one
   * placeholder ({@code {{ steps.a.output.ok }}}).
   *
   * @throws ExpressionException when it is neither
   */
  public static Expr parseBareOrPlaceholder(String text) {
    if (!Template.hasPlaceholder(text)) {
      return ExpressionParser.parse(text);
    }
    Template template = Template.parse(text.trim());
    Expr single = template.single();
    if (single == null) {
      throw new ExpressionException(
          "'" + text + "' (expected: one expression, bare or as a single {{ }})");
    }
    return single;
  }
}
