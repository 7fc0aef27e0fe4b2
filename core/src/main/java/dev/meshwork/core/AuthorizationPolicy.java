package dev.meshwork.core;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Who may call which method. Rules are evaluated in order; the first whose method pattern and
 * identity pattern both match decides. A call no rule matches is denied.
 *
 * <p>Method patterns: {@code *}, {@code pkg.Service/*}, {@code pkg.Service/Method}. Identity
 * patterns: {@code *} (any mesh identity), {@code <kind>/*}, {@code <kind>/<name>}.
 *
 * <p>Every policy starts by allowing health checks and server reflection to any mesh identity, so
 * that {@code grpcurl list} and load balancers' health checks work.
 */
public final class AuthorizationPolicy {

  /** Whether a rule allows or denies. */
  public enum Effect {
    /** The call goes through. */
    ALLOW,
    /** The call fails with {@code PERMISSION_DENIED}. */
    DENY
  }

  /**
   * One rule.
   *
   * @param effect allow or deny
   * @param method method pattern
   * @param identities identity patterns, any of which matches
   */
  public record Rule(Effect effect, String method, Set<String> identities) {

    /** Validates the patterns. */
    public Rule {
      requireNonNull(effect, "effect");
      requireNonNull(method, "method");
      identities = Set.copyOf(identities);
      if (!method.equals("*") && !method.contains("/")) {
        throw new IllegalArgumentException(
            "method: '" + method + "' (expected: *, pkg.Service/* or pkg.Service/Method)");
      }
      if (identities.isEmpty()) {
        throw new IllegalArgumentException("identities: [] (expected: at least one pattern)");
      }
      for (String identity : identities) {
        if (!identity.equals("*") && identity.indexOf('/') <= 0) {
          throw new IllegalArgumentException(
              "identity: '" + identity + "' (expected: *, <kind>/* or <kind>/<name>)");
        }
      }
    }

    boolean matches(String fullMethod, MeshIdentity caller) {
      return matchesMethod(fullMethod) && identities.stream().anyMatch(p -> matchesIdentity(p, caller));
    }

    private boolean matchesMethod(String fullMethod) {
      if (method.equals("*")) {
        return true;
      }
      if (method.endsWith("/*")) {
        return fullMethod.startsWith(method.substring(0, method.length() - 1));
      }
      return method.equals(fullMethod);
    }

    private static boolean matchesIdentity(String pattern, MeshIdentity caller) {
      if (pattern.equals("*")) {
        return true;
      }
      if (pattern.endsWith("/*")) {
        return pattern.substring(0, pattern.length() - 2).equals(caller.kind());
      }
      return pattern.equals(caller.kindAndName());
    }
  }

  private static final List<Rule> ALWAYS =
      List.of(
          new Rule(Effect.ALLOW, "grpc.health.v1.Health/*", Set.of("*")),
          new Rule(Effect.ALLOW, "grpc.reflection.v1.ServerReflection/*", Set.of("*")),
          new Rule(Effect.ALLOW, "grpc.reflection.v1alpha.ServerReflection/*", Set.of("*")));

  private final List<Rule> rules;

  private AuthorizationPolicy(List<Rule> rules) {
    this.rules = List.copyOf(rules);
  }

  /** A new builder, starting with the health and reflection rules. */
  public static Builder builder() {
    return new Builder();
  }

  /** True when {@code caller} may call {@code fullMethod} ({@code pkg.Service/Method}). */
  public boolean allows(String fullMethod, MeshIdentity caller) {
    requireNonNull(fullMethod, "fullMethod");
    requireNonNull(caller, "caller");
    for (Rule rule : rules) {
      if (rule.matches(fullMethod, caller)) {
        return rule.effect() == Effect.ALLOW;
      }
    }
    return false;
  }

  /** The rules in evaluation order. */
  public List<Rule> rules() {
    return rules;
  }

  /**
   * A policy whose rules are {@code overrides} first, then this policy's.
   */
  public AuthorizationPolicy withOverrides(List<Rule> overrides) {
    List<Rule> merged = new ArrayList<>(overrides);
    merged.addAll(rules);
    return new AuthorizationPolicy(merged);
  }

  /**
   * Parses a rules file: one rule per line, {@code allow|deny <method-pattern>
   * <identity-pattern>[,<identity-pattern>...]}; {@code #} starts a comment.
   *
   * @throws ConfigException naming the file and line of a malformed rule
   */
  public static List<Rule> parse(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (IOException e) {
      throw new ConfigException("--policy-file / MESHWORK_POLICY_FILE: '" + file + "': " + e);
    }
    List<Rule> rules = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).replaceFirst("#.*", "").trim();
      if (line.isEmpty()) {
        continue;
      }
      String[] parts = line.split("\\s+");
      String where = file + ":" + (i + 1) + ": ";
      if (parts.length != 3) {
        throw new ConfigException(
            where + "'" + line + "' (expected: allow|deny <method> <identity>[,<identity>...])");
      }
      Effect effect;
      try {
        effect = Effect.valueOf(parts[0].toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new ConfigException(where + "effect '" + parts[0] + "' (expected: allow or deny)");
      }
      try {
        rules.add(new Rule(effect, parts[1], Set.copyOf(Arrays.asList(parts[2].split(",")))));
      } catch (IllegalArgumentException e) {
        throw new ConfigException(where + e.getMessage());
      }
    }
    return rules;
  }

  /** Builds a policy. */
  public static final class Builder {
    private final List<Rule> rules = new ArrayList<>(ALWAYS);

    private Builder() {}

    /** Allows callers matching any of {@code identities} to call methods matching {@code method}. */
    public Builder allow(String method, String... identities) {
      rules.add(new Rule(Effect.ALLOW, method, Set.of(identities)));
      return this;
    }

    /** Denies callers matching any of {@code identities} the methods matching {@code method}. */
    public Builder deny(String method, String... identities) {
      rules.add(new Rule(Effect.DENY, method, Set.of(identities)));
      return this;
    }

    /** The policy. */
    public AuthorizationPolicy build() {
      return new AuthorizationPolicy(rules);
    }
  }
}
