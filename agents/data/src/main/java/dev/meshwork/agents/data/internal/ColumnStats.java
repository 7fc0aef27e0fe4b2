package dev.meshwork.agents.data.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Statistics of one column. A column is {@code number} when every present value is numeric (or a
 * numeric string, as CSV cells are), {@code boolean} when every one is true/false, else {@code
 * string}. Numbers get min, max, sum, mean, median and sample standard deviation; every column gets
 * its count, missing count, distinct count and most frequent values.
 */
final class ColumnStats {

  private static final int TOP_VALUES = 5;
  private static final Pattern NUMBER =
      Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?");

  private ColumnStats() {}

  /** The statistics of {@code values} as an ordered map, ready to become a data part. */
  static Map<String, Object> of(String name, List<Object> values) {
    List<Object> present = values.stream().filter(v -> v != null).toList();
    Map<String, Object> stats = new LinkedHashMap<>();
    stats.put("name", name);
    String type = typeOf(present);
    stats.put("type", type);
    stats.put("count", (double) present.size());
    stats.put("missing", (double) (values.size() - present.size()));
    Map<String, Integer> frequency = new LinkedHashMap<>();
    present.forEach(v -> frequency.merge(display(v), 1, Integer::sum));
    stats.put("distinct", (double) frequency.size());
    if (type.equals("number")) {
      numeric(present.stream().map(ColumnStats::toDouble).toList(), stats);
    }
    stats.put("top", top(frequency));
    return stats;
  }

  private static void numeric(List<Double> numbers, Map<String, Object> stats) {
    List<Double> sorted = numbers.stream().sorted().toList();
    int n = sorted.size();
    double sum = sorted.stream().mapToDouble(Double::doubleValue).sum();
    double mean = sum / n;
    double median =
        n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    double squares = sorted.stream().mapToDouble(x -> (x - mean) * (x - mean)).sum();
    stats.put("min", sorted.get(0));
    stats.put("max", sorted.get(n - 1));
    stats.put("sum", round(sum));
    stats.put("mean", round(mean));
    stats.put("median", round(median));
    stats.put("stddev", n > 1 ? round(Math.sqrt(squares / (n - 1))) : 0.0);
  }

  private static List<Map<String, Object>> top(Map<String, Integer> frequency) {
    List<Map.Entry<String, Integer>> entries = new ArrayList<>(frequency.entrySet());
    // Stable sort: equal counts keep first-seen order.
    entries.sort(Comparator.comparing((Map.Entry<String, Integer> e) -> -e.getValue()));
    List<Map<String, Object>> top = new ArrayList<>();
    for (Map.Entry<String, Integer> e : entries.subList(0, Math.min(TOP_VALUES, entries.size()))) {
      Map<String, Object> item = new LinkedHashMap<>();
      item.put("value", e.getKey());
      item.put("count", (double) e.getValue());
      top.add(item);
    }
    return top;
  }

  private static String typeOf(List<Object> present) {
    if (present.isEmpty()) {
      return "empty";
    }
    if (present.stream().allMatch(v -> toDouble(v) != null)) {
      return "number";
    }
    if (present.stream().allMatch(ColumnStats::isBoolean)) {
      return "boolean";
    }
    return "string";
  }

  private static boolean isBoolean(Object v) {
    if (v instanceof Boolean) {
      return true;
    }
    String s = String.valueOf(v).toLowerCase(Locale.ROOT);
    return s.equals("true") || s.equals("false");
  }

  private static Double toDouble(Object v) {
    if (v instanceof Number n) {
      return n.doubleValue();
    }
    // Only plain decimal notation: Double.parseDouble would also take "NaN", "0x1p3" or "5d".
    if (v instanceof String s && NUMBER.matcher(s.strip()).matches()) {
      double d = Double.parseDouble(s.strip());
      return Double.isFinite(d) ? d : null;
    }
    return null;
  }

  private static String display(Object v) {
    if (v instanceof Double d && d == Math.rint(d) && Math.abs(d) < 1e15) {
      return String.valueOf(d.longValue());
    }
    return String.valueOf(v);
  }

  private static double round(double value) {
    return Math.round(value * 1e6) / 1e6;
  }
}
