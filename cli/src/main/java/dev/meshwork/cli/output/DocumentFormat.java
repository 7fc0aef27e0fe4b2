package dev.meshwork.cli.output;

/** Output of commands that show one document, such as a workflow definition. */
public enum DocumentFormat {
  /** YAML, as workflows are written. */
  YAML,
  /** The proto JSON mapping. */
  JSON
}
