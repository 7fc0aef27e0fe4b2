package dev.meshwork.cli.output;

import static java.util.Objects.requireNonNull;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * A plain-text table: upper-case headers, left-aligned columns separated by two spaces, no borders
 * (the kubectl look, easy to read and to {@code awk}). Empty cells print as {@code -}.
 */
public final class Table {

  private final List<String> headers;
  private final List<List<String>> rows = new ArrayList<>();

  /** A table with these column headers. */
  public Table(String... headers) {
    this.headers = List.of(headers);
  }

  /**
   * Adds a row.
   *
   * @throws IllegalArgumentException when the cell count differs from the header count
   */
  public Table row(String... cells) {
    if (cells.length != headers.size()) {
      throw new IllegalArgumentException(
          "cells: " + cells.length + " (expected: " + headers.size() + ")");
    }
    List<String> row = new ArrayList<>(cells.length);
    for (String cell : cells) {
      row.add(cell == null || cell.isEmpty() ? "-" : cell.replace('\n', ' '));
    }
    rows.add(row);
    return this;
  }

  /** How many rows were added. */
  public int size() {
    return rows.size();
  }

  /** Prints the headers and every row. */
  public void print(PrintWriter out) {
    requireNonNull(out, "out");
    int[] widths = new int[headers.size()];
    for (int i = 0; i < widths.length; i++) {
      widths[i] = headers.get(i).length();
      for (List<String> row : rows) {
        widths[i] = Math.max(widths[i], row.get(i).length());
      }
    }
    printRow(out, headers, widths);
    for (List<String> row : rows) {
      printRow(out, row, widths);
    }
    out.flush();
  }

  private static void printRow(PrintWriter out, List<String> cells, int[] widths) {
    StringBuilder line = new StringBuilder();
    for (int i = 0; i < cells.size(); i++) {
      String cell = cells.get(i);
      line.append(cell);
      if (i < cells.size() - 1) {
        line.append(" ".repeat(widths[i] - cell.length() + 2));
      }
    }
    out.println(line);
  }
}
