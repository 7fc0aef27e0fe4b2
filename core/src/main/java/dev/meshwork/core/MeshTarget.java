package dev.meshwork.core;

import static java.util.Objects.requireNonNull;

import dev.meshwork.api.registry.v1.InstanceFilter;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.regex.Pattern;

/**
 * A channel target resolved through the registry: {@code mesh:///skill/<skill-id>} (every instance
 * serving the skill) or {@code mesh:///agent/<name>} (every instance of the agent).
 *
 * @param kind what the name designates
 * @param name the skill id or agent name
 */
public record MeshTarget(Kind kind, String name) {

  /** The URI scheme of mesh targets. */
  public static final String SCHEME = "mesh";

  // The same rules the registry applies to cards, so that any registered skill can be addressed.
  private static final Pattern SKILL_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
  private static final Pattern AGENT_NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

  /** What a mesh target designates. */
  public enum Kind {
    /** Instances serving a skill id. */
    SKILL,
    /** Instances of an agent name. */
    AGENT
  }

  /** Validates the name for its kind. */
  public MeshTarget {
    requireNonNull(kind, "kind");
    requireNonNull(name, "name");
    if (kind == Kind.SKILL && !SKILL_ID.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "skill id: '" + name + "' (expected: letters, digits, '.', '-' and '_', 1..128"
              + " characters, starting with a letter or digit)");
    }
    if (kind == Kind.AGENT && !AGENT_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "agent name: '" + name + "' (expected: lower-case letters, digits and '-', at most 63)");
    }
  }

  /** The instances serving {@code skillId}. */
  public static MeshTarget skill(String skillId) {
    return new MeshTarget(Kind.SKILL, skillId);
  }

  /** The instances of agent {@code name}. */
  public static MeshTarget agent(String name) {
    return new MeshTarget(Kind.AGENT, name);
  }

  /** True when {@code target} uses the {@code mesh:} scheme. */
  public static boolean isMeshTarget(String target) {
    return target != null && target.regionMatches(true, 0, SCHEME + ":", 0, SCHEME.length() + 1);
  }

  /**
   * Parses {@code mesh:///skill/<id>} or {@code mesh:///agent/<name>}.
   *
   * @throws IllegalArgumentException when {@code target} is not of that shape
   */
  public static MeshTarget parse(String target) {
    requireNonNull(target, "target");
    try {
      return parse(new URI(target));
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(invalid(target), e);
    }
  }

  /**
   * Parses a {@code mesh:} URI.
   *
   * @throws IllegalArgumentException when {@code uri} is not of that shape
   */
  public static MeshTarget parse(URI uri) {
    requireNonNull(uri, "uri");
    String path = uri.getPath();
    boolean shaped =
        SCHEME.equalsIgnoreCase(uri.getScheme())
            && (uri.getAuthority() == null || uri.getAuthority().isEmpty())
            && uri.getQuery() == null
            && uri.getFragment() == null
            && path != null;
    String[] parts = shaped ? path.split("/", -1) : new String[0];
    if (parts.length != 3 || !parts[0].isEmpty()) {
      throw new IllegalArgumentException(invalid(uri.toString()));
    }
    return switch (parts[1]) {
      case "skill" -> skill(parts[2]);
      case "agent" -> agent(parts[2]);
      default -> throw new IllegalArgumentException(invalid(uri.toString()));
    };
  }

  /** The channel target, for example {@code mesh:///skill/text.keywords}. */
  public String uri() {
    return SCHEME + ":///" + (kind == Kind.SKILL ? "skill/" : "agent/") + name;
  }

  /** The registry filter selecting this target's instances. */
  public InstanceFilter filter() {
    InstanceFilter.Builder filter = InstanceFilter.newBuilder();
    if (kind == Kind.SKILL) {
      filter.setSkillId(name);
    } else {
      filter.setAgentName(name);
    }
    return filter.build();
  }

  @Override
  public String toString() {
    return uri();
  }

  private static String invalid(String target) {
    return "target: '" + target + "' (expected: mesh:///skill/<skill-id> or mesh:///agent/<name>)";
  }
}
