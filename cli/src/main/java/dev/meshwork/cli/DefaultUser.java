package dev.meshwork.cli;

import static java.util.Objects.requireNonNull;

import dev.meshwork.core.MeshIdentity;
import java.util.Locale;

/**
 * The user name meshctl acts as when none is given: {@code $MESHWORK_USER}, else {@code $USER}
 * sanitized into an identity name, else {@value #FALLBACK}. {@code certs init} issues {@code
 * client/<user>} with it and the remote commands present that identity, so both agree.
 */
public final class DefaultUser {

  /** The environment variable that names the user explicitly. */
  public static final String USER_VARIABLE = "MESHWORK_USER";

  /** The name used when neither variable gives one. */
  public static final String FALLBACK = "dev";

  private DefaultUser() {}

  /**
   * The default user name.
   *
   * @throws MeshctlException (usage) when {@code $MESHWORK_USER} is not a valid identity name
   */
  public static String name(CliEnvironment environment) {
    requireNonNull(environment, "environment");
    var explicit = environment.get(USER_VARIABLE);
    if (explicit.isPresent()) {
      return validate(explicit.get(), USER_VARIABLE);
    }
    return environment.get("USER").map(DefaultUser::sanitize).orElse(FALLBACK);
  }

  /**
   * {@code name} if it is a valid identity name.
   *
   * @param source where the name came from, for the error message (e.g. {@code --user})
   * @throws MeshctlException (usage) otherwise
   */
  public static String validate(String name, String source) {
    try {
      return new MeshIdentity(MeshIdentity.DEFAULT_TRUST_DOMAIN, "client", name).name();
    } catch (IllegalArgumentException e) {
      throw MeshctlException.usage(
          source + ": '" + name + "' (expected: lower-case letters, digits and '-', at most 63)",
          e);
    }
  }

  /** A login name as an identity name: lower case, runs of other characters become one '-'. */
  public static String sanitize(String login) {
    String name =
        login.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+", "");
    if (name.length() > 63) {
      name = name.substring(0, 63);
    }
    name = name.replaceAll("-+$", "");
    return name.isEmpty() ? FALLBACK : name;
  }
}
