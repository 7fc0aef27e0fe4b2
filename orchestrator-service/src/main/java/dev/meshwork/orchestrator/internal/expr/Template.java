package dev.meshwork.orchestrator.internal.expr;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A string with {@code {{ expr }}} placeholders. A string that is exactly one placeholder keeps the
 * value's type when rendered (a list stays a list); otherwise the values are interpolated as text.
 */
public final class Template {

  /** One piece of a template: literal text or an expression. */
  public sealed interface Segment {}

  /** Literal text. */
  public record Text(String text) implements Segment {}

  /** A placeholder. */
  public record Placeholder(Expr expr) implements Segment {}

  private final String source;
  private final List<Segment> segments;

  private Template(String source, List<Segment> segments) {
    this.source = source;
    this.segments = List.copyOf(segments);
  }

  /**
   * Parses {@code source}. A stray {@code }}} is literal text; an unclosed {@code {{} is an error.
   *
   * @throws ExpressionException for an unclosed or unparseable placeholder
   */
  public static Template parse(String source) {
    requireNonNull(source, "source");
    List<Segment> segments = new ArrayList<>();
    int pos = 0;
    while (pos < source.length()) {
      int open = source.indexOf("{{", pos);
      if (open < 0) {
        segments.add(new Text(source.substring(pos)));
        break;
      }
      if (open > pos) {
        segments.add(new Text(source.substring(pos, open)));
      }
      int close = source.indexOf("}}", open + 2);
      if (close < 0) {
        throw new ExpressionException(
            "unclosed '{{' at offset " + open + " in '" + source + "' (expected: {{ expr }})");
      }
      segments.add(new Placeholder(ExpressionParser.parse(source.substring(open + 2, close))));
      pos = close + 2;
    }
    return new Template(source, segments);
  }

  /** True when {@code s} contains a placeholder opening; plain strings need no rendering. */
  public static boolean hasPlaceholder(String s) {
    return s.contains("{{");
  }

  /** The segments in order. */
  public List<Segment> segments() {
    return segments;
  }

  /** The placeholder's expression when the template is exactly one placeholder; else null. */
  public Expr single() {
    if (segments.size() == 1 && segments.get(0) instanceof Placeholder p) {
      return p.expr();
    }
    return null;
  }

  /** Calls {@code action} with every path the template reads. */
  public void forEachPath(Consumer<PathExpr> action) {
    for (Segment segment : segments) {
      if (segment instanceof Placeholder p) {
        p.expr().forEachPath(action);
      }
    }
  }

  /** The source text. */
  public String source() {
    return source;
  }

  @Override
  public String toString() {
    return source;
  }
}
