package dev.meshwork.orchestrator.internal.expr;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Evaluates parsed expressions against a {@link Scope}. A path that leads nowhere (a missing field,
 * an index past the end, the output of a step that did not complete) is {@code null}, so a
 * condition on an optional field is simply false.
 */
public final class Evaluator {

  private Evaluator() {}

  /**
   * The value of {@code expr}.
   *
   * @throws ExpressionException for {@code item} outside a for_each element
   */
  public static Object evaluate(Expr expr, Scope scope) {
    if (expr instanceof Expr.Literal l) {
      return l.value();
    }
    if (expr instanceof Expr.Ref r) {
      return resolve(r.path(), scope);
    }
    if (expr instanceof Expr.Not n) {
      return !truthy(evaluate(n.operand(), scope));
    }
    if (expr instanceof Expr.And a) {
      return truthy(evaluate(a.left(), scope)) && truthy(evaluate(a.right(), scope));
    }
    if (expr instanceof Expr.Or o) {
      return truthy(evaluate(o.left(), scope)) || truthy(evaluate(o.right(), scope));
    }
    Expr.Compare c = (Expr.Compare) expr;
    return compare(evaluate(c.left(), scope), c.op(), evaluate(c.right(), scope));
  }

  /** True when {@code expr} evaluates to a truthy value. */
  public static boolean test(Expr expr, Scope scope) {
    return truthy(evaluate(expr, scope));
  }

  /**
   * Truthiness: null and false are false, numbers when not 0, strings, lists and maps when not
   * empty.
   */
  public static boolean truthy(Object value) {
    if (value == null) {
      return false;
    }
    if (value instanceof Boolean b) {
      return b;
    }
    if (value instanceof Number n) {
      return n.doubleValue() != 0;
    }
    if (value instanceof String s) {
      return !s.isEmpty();
    }
    if (value instanceof List<?> l) {
      return !l.isEmpty();
    }
    if (value instanceof Map<?, ?> m) {
      return !m.isEmpty();
    }
    return true;
  }

  /** The value a path points at, or null. */
  public static Object resolve(PathExpr path, Scope scope) {
    Object current =
        switch (path.root()) {
          case INPUT -> scope.input();
          case STEP_OUTPUT ->
              scope.hasOutput(path.stepId()) ? scope.stepOutput(path.stepId()) : null;
          case ITEM -> {
            if (!scope.hasItem()) {
              throw new ExpressionException("'item' is only defined inside a for_each step");
            }
            yield scope.item();
          }
        };
    for (Object segment : path.segments()) {
      current = step(current, segment);
      if (current == null) {
        return null;
      }
    }
    return current;
  }

  private static Object step(Object current, Object segment) {
    if (segment instanceof Integer index) {
      if (current instanceof List<?> list) {
        return index < list.size() ? list.get(index) : null;
      }
      return null;
    }
    if (current instanceof Map<?, ?> map) {
      return map.get(segment);
    }
    return null;
  }

  private static boolean compare(Object left, Expr.Op op, Object right) {
    Double ln = asNumber(left);
    Double rn = asNumber(right);
    // Agents often answer numbers as text ("0.8"): compare numerically when one side is a number
    // and the other reads as one.
    if (ln != null && rn != null && (left instanceof Number || right instanceof Number)) {
      return compareOrdered(Double.compare(ln, rn), op);
    }
    if (left instanceof String ls && right instanceof String rs) {
      return compareOrdered(ls.compareTo(rs), op);
    }
    return switch (op) {
      case EQ -> Objects.equals(left, right);
      case NE -> !Objects.equals(left, right);
      default -> false;
    };
  }

  private static boolean compareOrdered(int cmp, Expr.Op op) {
    return switch (op) {
      case EQ -> cmp == 0;
      case NE -> cmp != 0;
      case LT -> cmp < 0;
      case LE -> cmp <= 0;
      case GT -> cmp > 0;
      case GE -> cmp >= 0;
    };
  }

  private static Double asNumber(Object value) {
    if (value instanceof Number n) {
      return n.doubleValue();
    }
    if (value instanceof String s) {
      try {
        return Double.valueOf(s.trim());
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return null;
  }
}
