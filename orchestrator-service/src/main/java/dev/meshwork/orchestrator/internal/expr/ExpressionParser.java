package dev.meshwork.orchestrator.internal.expr;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;

/**
 * Parses the small expression language of workflows. No scripting engine: the grammar is closed, so
 * a workflow can read values but never run code.
 *
 * <pre>
 * or      := and ('||' and)*
 * and     := unary ('&amp;&amp;' unary)*
 * unary   := '!' unary | primary
 * primary := '(' or ')' | operand (('==' | '!=' | '&lt;' | '&lt;=' | '&gt;' | '&gt;=') operand)?
 * operand := path | number | 'string' | "string" | true | false | null
 * path    := (input | steps '.' ID '.' output | item) ('.' NAME | '[' INT ']' | '[' STRING ']')*
 * </pre>
 */
public final class ExpressionParser {

  private final String text;
  private int pos;

  private ExpressionParser(String text) {
    this.text = text;
  }

  /**
   * Parses a whole expression.
   *
   * @throws ExpressionException when {@code text} is not a valid expression
   */
  public static Expr parse(String text) {
    requireNonNull(text, "text");
    ExpressionParser parser = new ExpressionParser(text);
    parser.skipSpace();
    if (parser.atEnd()) {
      throw new ExpressionException("empty expression (expected: a path such as input.x)");
    }
    Expr expr = parser.parseOr();
    parser.skipSpace();
    if (!parser.atEnd()) {
      throw parser.error("unexpected '" + parser.rest() + "'");
    }
    return expr;
  }

  /**
   * Parses an expression that must be a single path (for example a for_each source).
   *
   * @throws ExpressionException when {@code text} is not exactly one path
   */
  public static PathExpr parsePath(String text) {
    Expr expr = parse(text);
    if (expr instanceof Expr.Ref ref) {
      return ref.path();
    }
    throw new ExpressionException(
        "'" + text.trim() + "' (expected: a path such as steps.<id>.output.items)");
  }

  private Expr parseOr() {
    Expr left = parseAnd();
    while (consume("||")) {
      left = new Expr.Or(left, parseAnd());
    }
    return left;
  }

  private Expr parseAnd() {
    Expr left = parseUnary();
    while (consume("&&")) {
      left = new Expr.And(left, parseUnary());
    }
    return left;
  }

  private Expr parseUnary() {
    skipSpace();
    if (peek("!") && !peek("!=")) {
      pos++;
      return new Expr.Not(parseUnary());
    }
    return parsePrimary();
  }

  private Expr parsePrimary() {
    skipSpace();
    if (consume("(")) {
      Expr inner = parseOr();
      if (!consume(")")) {
        throw error("missing ')'");
      }
      return inner;
    }
    Expr left = parseOperand();
    Expr.Op op = parseOp();
    if (op == null) {
      return left;
    }
    return new Expr.Compare(left, op, parseOperand());
  }

  private Expr.Op parseOp() {
    skipSpace();
    for (String symbol : List.of("==", "!=", "<=", ">=", "<", ">")) {
      if (consume(symbol)) {
        for (Expr.Op op : Expr.Op.values()) {
          if (op.symbol().equals(symbol)) {
            return op;
          }
        }
      }
    }
    return null;
  }

  private Expr parseOperand() {
    skipSpace();
    if (atEnd()) {
      throw error("unexpected end (expected: a path or a literal)");
    }
    char c = text.charAt(pos);
    if (c == '\'' || c == '"') {
      return new Expr.Literal(parseString());
    }
    if (Character.isDigit(c)
        || (c == '-' && pos + 1 < text.length() && Character.isDigit(text.charAt(pos + 1)))) {
      return new Expr.Literal(parseNumber());
    }
    if (isNameStart(c)) {
      int start = pos;
      String word = parseName();
      return switch (word) {
        case "true" -> new Expr.Literal(Boolean.TRUE);
        case "false" -> new Expr.Literal(Boolean.FALSE);
        case "null" -> new Expr.Literal(null);
        default -> new Expr.Ref(parsePathAfterRoot(word, start));
      };
    }
    throw error("unexpected '" + rest() + "' (expected: a path or a literal)");
  }

  private PathExpr parsePathAfterRoot(String root, int start) {
    return switch (root) {
      case "input" -> new PathExpr(PathExpr.Root.INPUT, "", parseSegments());
      case "item" -> new PathExpr(PathExpr.Root.ITEM, "", parseSegments());
      case "steps" -> {
        if (!consume(".")) {
          throw error("'steps' must be followed by .<step id>.output");
        }
        String stepId = parseName();
        if (!consume(".") || !parseName().equals("output")) {
          throw errorAt(start, "'steps." + stepId + "' must be followed by .output");
        }
        yield new PathExpr(PathExpr.Root.STEP_OUTPUT, stepId, parseSegments());
      }
      default ->
          throw errorAt(
              start, "unknown name '" + root + "' (expected: input, steps.<id>.output or item)");
    };
  }

  private List<Object> parseSegments() {
    List<Object> segments = new ArrayList<>();
    while (!atEnd()) {
      char c = text.charAt(pos);
      if (c == '.') {
        pos++;
        segments.add(parseName());
      } else if (c == '[') {
        pos++;
        skipSpace();
        if (!atEnd() && (text.charAt(pos) == '\'' || text.charAt(pos) == '"')) {
          segments.add(parseString());
        } else {
          segments.add(parseIndex());
        }
        skipSpace();
        if (!consume("]")) {
          throw error("missing ']'");
        }
      } else {
        break;
      }
    }
    return segments;
  }

  private int parseIndex() {
    int start = pos;
    while (!atEnd() && Character.isDigit(text.charAt(pos))) {
      pos++;
    }
    if (start == pos) {
      throw error("bad index (expected: a number >= 0 or a quoted key)");
    }
    try {
      return Integer.parseInt(text.substring(start, pos));
    } catch (NumberFormatException e) {
      throw errorAt(start, "index too large");
    }
  }

  private String parseName() {
    if (atEnd() || !isNameStart(text.charAt(pos))) {
      throw error("expected a name");
    }
    int start = pos;
    while (!atEnd() && isNamePart(text.charAt(pos))) {
      pos++;
    }
    return text.substring(start, pos);
  }

  private String parseString() {
    char quote = text.charAt(pos);
    int start = pos;
    pos++;
    StringBuilder sb = new StringBuilder();
    while (!atEnd()) {
      char c = text.charAt(pos++);
      if (c == quote) {
        return sb.toString();
      }
      if (c == '\\' && !atEnd()) {
        sb.append(text.charAt(pos++));
      } else {
        sb.append(c);
      }
    }
    throw errorAt(start, "unterminated string");
  }

  private Double parseNumber() {
    int start = pos;
    if (text.charAt(pos) == '-') {
      pos++;
    }
    while (!atEnd() && (Character.isDigit(text.charAt(pos)) || text.charAt(pos) == '.')) {
      pos++;
    }
    String number = text.substring(start, pos);
    try {
      return Double.valueOf(number);
    } catch (NumberFormatException e) {
      throw errorAt(start, "bad number '" + number + "'");
    }
  }

  private static boolean isNameStart(char c) {
    return Character.isLetter(c) || c == '_';
  }

  private static boolean isNamePart(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == '-';
  }

  private boolean consume(String symbol) {
    skipSpace();
    if (text.startsWith(symbol, pos)) {
      pos += symbol.length();
      return true;
    }
    return false;
  }

  private boolean peek(String symbol) {
    return text.startsWith(symbol, pos);
  }

  private void skipSpace() {
    while (!atEnd() && Character.isWhitespace(text.charAt(pos))) {
      pos++;
    }
  }

  private boolean atEnd() {
    return pos >= text.length();
  }

  private String rest() {
    return text.substring(pos);
  }

  private ExpressionException error(String message) {
    return errorAt(pos, message);
  }

  private ExpressionException errorAt(int at, String message) {
    return new ExpressionException(message + " at offset " + at + " in '" + text + "'");
  }
}
