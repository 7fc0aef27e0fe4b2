package dev.meshwork.agents.data.internal;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Rows of named columns, values as plain Java values (strings, doubles, booleans, null for
 * missing). CSV cells arrive as strings; {@link ColumnStats} decides what they hold.
 *
 * @param columns column names in order
 * @param rows one list of values per row, aligned with {@code columns}
 */
record Table(List<String> columns, List<List<Object>> rows) {

  Table {
    columns = List.copyOf(columns);
    rows = List.copyOf(requireNonNull(rows, "rows"));
  }

  /**
   * A table from CSV text (first record = header). Short rows are padded with missing values.
   *
   * @throws IllegalArgumentException for malformed CSV or a row longer than the header
   */
  static Table fromCsv(String csv) {
    List<List<String>> records = Csv.parse(csv);
    if (records.isEmpty()) {
      return new Table(List.of(), List.of());
    }
    List<String> header = records.get(0).stream().map(String::strip).toList();
    List<List<Object>> rows = new ArrayList<>();
    for (int r = 1; r < records.size(); r++) {
      List<String> record = records.get(r);
      if (record.size() > header.size()) {
        throw new IllegalArgumentException(
            "row " + r + " has " + record.size() + " fields (expected: at most "
                + header.size() + ", as in the header)");
      }
      List<Object> row = new ArrayList<>();
      for (int c = 0; c < header.size(); c++) {
        String cell = c < record.size() ? record.get(c).strip() : "";
        row.add(cell.isEmpty() ? null : cell);
      }
      rows.add(row);
    }
    return new Table(header, rows);
  }

  /**
   * A table from JSON-like rows: each a map; the columns are every key seen, in first-seen order.
   *
   * @throws IllegalArgumentException when a row is not an object
   */
  static Table fromRecords(List<?> records) {
    Set<String> columns = new LinkedHashSet<>();
    for (int i = 0; i < records.size(); i++) {
      if (!(records.get(i) instanceof Map<?, ?> map)) {
        throw new IllegalArgumentException(
            "rows[" + i + "] is " + JsonTypes.typeOf(records.get(i)) + " (expected: an object)");
      }
      map.keySet().forEach(k -> columns.add(String.valueOf(k)));
    }
    List<String> names = List.copyOf(columns);
    List<List<Object>> rows = new ArrayList<>();
    for (Object record : records) {
      Map<?, ?> map = (Map<?, ?>) record;
      List<Object> row = new ArrayList<>();
      for (String name : names) {
        row.add(map.get(name));
      }
      rows.add(row);
    }
    return new Table(names, rows);
  }

  /** The values of column {@code index}. */
  List<Object> column(int index) {
    return rows.stream().map(row -> row.get(index)).toList();
  }
}
