package dev.meshwork.cli.output;

/** Output of commands that show records: a table for people or JSON for programs. */
public enum ListFormat {
  /** Aligned columns. */
  TABLE,
  /** The proto JSON mapping. */
  JSON
}
