package dev.meshwork.cli;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import java.util.Optional;

/**
 * What a meshctl command may read from its surroundings, passed in rather than read from globals so
 * commands run the same in tests. Commands receive it through a constructor parameter (see {@link
 * Meshctl}).
 *
 * @param variables the environment variables
 */
public record CliEnvironment(Map<String, String> variables) {

  /** Set to {@code 1} to print stack traces of errors. */
  public static final String DEBUG_VARIABLE = "MESHCTL_DEBUG";

  /** Copies the map. */
  public CliEnvironment {
    variables = Map.copyOf(requireNonNull(variables, "variables"));
  }

  /** The environment of this process. */
  public static CliEnvironment system() {
    return new CliEnvironment(System.getenv());
  }

  /** The value of variable {@code name}, empty when unset or blank. */
  public Optional<String> get(String name) {
    requireNonNull(name, "name");
    return Optional.ofNullable(variables.get(name)).filter(value -> !value.isBlank());
  }

  /** Whether {@value #DEBUG_VARIABLE} asks for stack traces. */
  public boolean debug() {
    return get(DEBUG_VARIABLE)
        .map(value -> value.equals("1") || value.equalsIgnoreCase("true"))
        .orElse(false);
  }
}
