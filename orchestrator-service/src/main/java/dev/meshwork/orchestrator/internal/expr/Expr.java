package dev.meshwork.orchestrator.internal.expr;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.function.Consumer;

/** A parsed expression: a path, a literal, a comparison or a boolean combination. */
public sealed interface Expr {

  /** Calls {@code action} with every path this expression reads. */
  void forEachPath(Consumer<PathExpr> action);

  /** Every path this expression reads, in order. */
  default List<PathExpr> paths() {
    List<PathExpr> paths = new java.util.ArrayList<>();
    forEachPath(paths::add);
    return paths;
  }

  /** A reference to a value. */
  record Ref(PathExpr path) implements Expr {
    /** Validates the path is present. */
    public Ref {
      requireNonNull(path, "path");
    }

    @Override
    public void forEachPath(Consumer<PathExpr> action) {
      action.accept(path);
    }
  }

  /** A constant: a number (Double), string, boolean or null. */
  record Literal(Object value) implements Expr {
    @Override
    public void forEachPath(Consumer<PathExpr> action) {}
  }

  /** Comparison operators. */
  enum Op {
    EQ("=="),
    NE("!="),
    LT("<"),
    LE("<="),
    GT(">"),
    GE(">=");

    private final String symbol;

    Op(String symbol) {
      this.symbol = symbol;
    }

    /** The operator as written. */
    public String symbol() {
      return symbol;
    }
  }

  /** {@code left op right}. */
  record Compare(Expr left, Op op, Expr right) implements Expr {
    /** Validates the parts. */
    public Compare {
      requireNonNull(left, "left");
      requireNonNull(op, "op");
      requireNonNull(right, "right");
    }

    @Override
    public void forEachPath(Consumer<PathExpr> action) {
      left.forEachPath(action);
      right.forEachPath(action);
    }
  }

  /** {@code left && right}. */
  record And(Expr left, Expr right) implements Expr {
    /** Validates the parts. */
    public And {
      requireNonNull(left, "left");
      requireNonNull(right, "right");
    }

    @Override
    public void forEachPath(Consumer<PathExpr> action) {
      left.forEachPath(action);
      right.forEachPath(action);
    }
  }

  /** {@code left || right}. */
  record Or(Expr left, Expr right) implements Expr {
    /** Validates the parts. */
    public Or {
      requireNonNull(left, "left");
      requireNonNull(right, "right");
    }

    @Override
    public void forEachPath(Consumer<PathExpr> action) {
      left.forEachPath(action);
      right.forEachPath(action);
    }
  }

  /** {@code !operand}. */
  record Not(Expr operand) implements Expr {
    /** Validates the operand is present. */
    public Not {
      requireNonNull(operand, "operand");
    }

    @Override
    public void forEachPath(Consumer<PathExpr> action) {
      operand.forEachPath(action);
    }
  }
}
