package dev.meshwork.agents.report.internal;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Renders plain Java values (as skills return them in data parts) as Markdown: scalars of a map
 * as a two-column table, lists of maps as tables, lists of scalars as bullets, nested maps as
 * sub-sections. Output is deterministic: map order is kept, numbers print without a spurious
 * {@code .0} and with at most four decimals.
 */
final class MarkdownRenderer {

  private static final int MAX_DEPTH = 4;

  private final StringBuilder out = new StringBuilder();

  /** Appends a heading of {@code level} (1..6). */
  MarkdownRenderer heading(int level, String text) {
    blankLine();
    out.append("#".repeat(Math.min(6, Math.max(1, level)))).append(' ').append(inline(text))
        .append('\n');
    return this;
  }

  /** Appends a paragraph (or Markdown text, as it is). */
  MarkdownRenderer paragraph(String text) {
    blankLine();
    out.append(text.strip()).append('\n');
    return this;
  }

  /** Appends a bullet. */
  MarkdownRenderer bullet(String text) {
    out.append("- ").append(text).append('\n');
    return this;
  }

  /** Renders a map's content below a heading of {@code level}. */
  MarkdownRenderer map(Map<?, ?> map, int level) {
    List<Map.Entry<?, ?>> scalars = new ArrayList<>();
    List<Map.Entry<?, ?>> nested = new ArrayList<>();
    for (Map.Entry<?, ?> e : map.entrySet()) {
      (isScalar(e.getValue()) || isScalarList(e.getValue()) ? scalars : nested).add(e);
    }
    if (!scalars.isEmpty()) {
      blankLine();
      out.append("| Field | Value |\n|---|---|\n");
      for (Map.Entry<?, ?> e : scalars) {
        out.append("| ").append(cell(humanize(String.valueOf(e.getKey())))).append(" | ")
            .append(cell(format(e.getValue()))).append(" |\n");
      }
    }
    for (Map.Entry<?, ?> e : nested) {
      heading(level, humanize(String.valueOf(e.getKey())));
      value(e.getValue(), level + 1);
    }
    return this;
  }

  /** Renders any value below a heading of {@code level}. */
  MarkdownRenderer value(Object value, int level) {
    if (level > MAX_DEPTH + 2) {
      return paragraph("`" + format(value) + "`");
    }
    if (value instanceof Map<?, ?> map) {
      return map(map, level);
    }
    if (value instanceof List<?> list) {
      if (!list.isEmpty() && list.stream().allMatch(v -> v instanceof Map)) {
        return table(list);
      }
      blankLine();
      list.forEach(item -> bullet(inline(format(item))));
      return this;
    }
    return paragraph(inline(format(value)));
  }

  /** The Markdown so far. */
  String render() {
    return out.toString().strip() + "\n";
  }

  private MarkdownRenderer table(List<?> rows) {
    Set<Object> columns = new LinkedHashSet<>();
    rows.forEach(row -> columns.addAll(((Map<?, ?>) row).keySet()));
    blankLine();
    out.append('|');
    columns.forEach(c -> out.append(' ').append(cell(humanize(String.valueOf(c)))).append(" |"));
    out.append("\n|");
    columns.forEach(c -> out.append("---|"));
    out.append('\n');
    for (Object row : rows) {
      out.append('|');
      for (Object column : columns) {
        Object v = ((Map<?, ?>) row).get(column);
        out.append(' ').append(v == null ? "" : cell(format(v))).append(" |");
      }
      out.append('\n');
    }
    return this;
  }

  /** "source_sentences" and "sourceSentences" -> "Source sentences". */
  static String humanize(String key) {
    String spaced = key.replaceAll("([a-z0-9])([A-Z])", "$1 $2").replace('_', ' ').replace('-', ' ')
        .strip().toLowerCase(Locale.ROOT);
    return spaced.isEmpty() ? key : Character.toUpperCase(spaced.charAt(0)) + spaced.substring(1);
  }

  /** A value as text: whole numbers without decimals, others with at most four. */
  static String format(Object value) {
    if (value == null) {
      return "—";
    }
    if (value instanceof Double d) {
      if (d == Math.rint(d) && Math.abs(d) < 1e15) {
        return String.valueOf(d.longValue());
      }
      return String.valueOf(Math.round(d * 10000) / 10000.0);
    }
    if (value instanceof List<?> list) {
      List<String> items = new ArrayList<>();
      list.forEach(item -> items.add(format(item)));
      return String.join(", ", items);
    }
    if (value instanceof Map<?, ?> map) {
      List<String> items = new ArrayList<>();
      map.forEach((k, v) -> items.add(k + ": " + format(v)));
      return "{" + String.join(", ", items) + "}";
    }
    return String.valueOf(value);
  }

  private static boolean isScalar(Object value) {
    return !(value instanceof Map) && !(value instanceof List);
  }

  private static boolean isScalarList(Object value) {
    return value instanceof List<?> list && list.stream().allMatch(MarkdownRenderer::isScalar);
  }

  private static String cell(String text) {
    return text.replace("|", "\\|").replace("\n", " ");
  }

  private static String inline(String text) {
    return text.replace("\n", " ");
  }

  private void blankLine() {
    if (out.length() > 0 && !out.toString().endsWith("\n\n")) {
      out.append(out.charAt(out.length() - 1) == '\n' ? "\n" : "\n\n");
    }
  }
}
