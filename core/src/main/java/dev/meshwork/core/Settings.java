package dev.meshwork.core;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Configuration read from command-line flags and {@code MESHWORK_*} environment variables: a flag
 * {@code --cert-dir=D} (or {@code --cert-dir D}) wins over {@code MESHWORK_CERT_DIR=D}, which wins
 * over the documented default. Typed getters fail fast with a {@link ConfigException} naming the
 * setting; {@link #rejectUnknownFlags()} catches typos.
 */
public final class Settings {

  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");

  private final Map<String, String> flags;
  private final Map<String, String> env;
  private final Set<String> known = new HashSet<>();

  private Settings(Map<String, String> flags, Map<String, String> env) {
    this.flags = flags;
    this.env = env;
  }

  /** Reads {@code args} and the process environment. */
  public static Settings fromArgs(String[] args) {
    return of(args, System.getenv());
  }

  /**
   * Reads {@code args} and the given environment (tests pass their own).
   *
   * @throws ConfigException for an argument that is not a {@code --flag}
   */
  public static Settings of(String[] args, Map<String, String> env) {
    requireNonNull(args, "args");
    requireNonNull(env, "env");
    Map<String, String> flags = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("--") || arg.length() == 2) {
        throw new ConfigException("argument '" + arg + "' (expected: --name=value)");
      }
      String body = arg.substring(2);
      int eq = body.indexOf('=');
      if (eq >= 0) {
        flags.put(body.substring(0, eq), body.substring(eq + 1));
      } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
        flags.put(body, args[++i]);
      } else {
        flags.put(body, "true");
      }
    }
    return new Settings(flags, Map.copyOf(env));
  }

  /** The environment variable of a setting: {@code cert-dir} -> {@code MESHWORK_CERT_DIR}. */
  public static String envName(String name) {
    return "MESHWORK_" + name.toUpperCase(Locale.ROOT).replace('-', '_');
  }

  /** The raw value of a setting, if set by flag or environment. */
  public Optional<String> raw(String name) {
    known.add(name);
    String flag = flags.get(name);
    if (flag != null) {
      return Optional.of(flag);
    }
    String value = env.get(envName(name));
    return value == null || value.isEmpty() ? Optional.empty() : Optional.of(value);
  }

  /** A string setting. */
  public String string(String name, String defaultValue) {
    return raw(name).orElse(defaultValue);
  }

  /** An integer setting within {@code [min, max]}. */
  public int integer(String name, int defaultValue, int min, int max) {
    Optional<String> raw = raw(name);
    if (raw.isEmpty()) {
      return defaultValue;
    }
    try {
      int value = Integer.parseInt(raw.get().trim());
      if (value >= min && value <= max) {
        return value;
      }
    } catch (NumberFormatException e) {
      // Reported below with the expected range.
    }
    throw bad(name, raw.get(), "integer " + min + ".." + max);
  }

  /** A boolean setting: {@code true/false}, {@code yes/no}, {@code 1/0}. */
  public boolean bool(String name, boolean defaultValue) {
    Optional<String> raw = raw(name);
    if (raw.isEmpty()) {
      return defaultValue;
    }
    return switch (raw.get().trim().toLowerCase(Locale.ROOT)) {
      case "true", "yes", "1" -> true;
      case "false", "no", "0" -> false;
      default -> throw bad(name, raw.get(), "true or false");
    };
  }

  /** A duration setting ({@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}, {@code 1d}). */
  public Duration duration(String name, Duration defaultValue, Duration min, Duration max) {
    Optional<String> raw = raw(name);
    if (raw.isEmpty()) {
      return defaultValue;
    }
    Duration value = parseDuration(raw.get());
    String expected = "duration like 30s, " + format(min) + ".." + format(max);
    if (value == null || value.compareTo(min) < 0 || value.compareTo(max) > 0) {
      throw bad(name, raw.get(), expected);
    }
    return value;
  }

  /** A path setting. */
  public Path path(String name, Path defaultValue) {
    return raw(name).map(Path::of).orElse(defaultValue);
  }

  /**
   * Fails on a flag no getter asked for (a typo would otherwise be ignored silently). Call after
   * reading every setting.
   */
  public void rejectUnknownFlags() {
    Set<String> unknown = new TreeSet<>(flags.keySet());
    unknown.removeAll(known);
    if (!unknown.isEmpty()) {
      throw new ConfigException(
          "unknown flag --" + unknown.iterator().next() + " (known: --"
              + String.join(", --", new TreeSet<>(known)) + ")");
    }
  }

  /** Parses {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}, {@code 1d}; null if malformed. */
  public static Duration parseDuration(String text) {
    Matcher m = DURATION.matcher(text.trim());
    if (!m.matches()) {
      return null;
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofDays(n);
    };
  }

  /** Formats a duration the way {@link #parseDuration} reads it. */
  public static String format(Duration d) {
    if (d.toMillis() % 1000 != 0) {
      return d.toMillis() + "ms";
    }
    long s = d.getSeconds();
    if (s % 86400 == 0 && s > 0) {
      return s / 86400 + "d";
    }
    if (s % 3600 == 0 && s > 0) {
      return s / 3600 + "h";
    }
    if (s % 60 == 0 && s > 0) {
      return s / 60 + "m";
    }
    return s + "s";
  }

  private static ConfigException bad(String name, String value, String expected) {
    return new ConfigException(
        "--" + name + " / " + envName(name) + ": '" + value + "' (expected: " + expected + ")");
  }
}
