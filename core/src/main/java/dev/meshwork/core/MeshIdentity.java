package dev.meshwork.core;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The identity of a mesh workload: a SPIFFE id {@code spiffe://<trust-domain>/<kind>/<name>} carried
 * as the URI SAN of its certificate.
 *
 * @param trustDomain the trust domain, for example {@code meshwork.local}
 * @param kind one of {@link #KINDS}
 * @param name the workload name within its kind, DNS-label-like
 */
public record MeshIdentity(String trustDomain, String kind, String name) {

  /** The kinds of workload the mesh knows. */
  public static final Set<String> KINDS =
      Set.of("registry", "orchestrator", "gateway", "agent", "client");

  /** The trust domain used when none is configured. */
  public static final String DEFAULT_TRUST_DOMAIN = "meshwork.local";

  private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
  private static final Pattern DOMAIN =
      Pattern.compile("[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?");

  /** Validates the parts; throws {@link IllegalArgumentException} naming the bad one. */
  public MeshIdentity {
    requireNonNull(trustDomain, "trustDomain");
    requireNonNull(kind, "kind");
    requireNonNull(name, "name");
    if (!DOMAIN.matcher(trustDomain).matches()) {
      throw new IllegalArgumentException(
          "trust domain: '" + trustDomain + "' (expected: lower-case DNS name)");
    }
    if (!KINDS.contains(kind)) {
      throw new IllegalArgumentException(
          "kind: '" + kind + "' (expected: one of " + String.join(", ", KINDS.stream().sorted().toList()) + ")");
    }
    if (!LABEL.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "name: '" + name + "' (expected: lower-case letters, digits and '-', at most 63)");
    }
  }

  /**
   * Parses {@code <kind>/<name>} (as typed on the command line) in the given trust domain.
   *
   * @throws IllegalArgumentException when the text is not of that shape
   */
  public static MeshIdentity parseKindName(String trustDomain, String kindAndName) {
    requireNonNull(kindAndName, "kindAndName");
    int slash = kindAndName.indexOf('/');
    if (slash < 0) {
      throw new IllegalArgumentException(
          "identity: '" + kindAndName + "' (expected: <kind>/<name>, for example agent/echo)");
    }
    return new MeshIdentity(
        trustDomain,
        kindAndName.substring(0, slash).toLowerCase(Locale.ROOT),
        kindAndName.substring(slash + 1));
  }

  /**
   * Parses a SPIFFE id.
   *
   * @throws IllegalArgumentException when it is not {@code spiffe://<domain>/<kind>/<name>}
   */
  public static MeshIdentity fromSpiffeId(String spiffeId) {
    requireNonNull(spiffeId, "spiffeId");
    URI uri;
    try {
      uri = URI.create(spiffeId);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("spiffe id: '" + spiffeId + "' (expected: a URI)", e);
    }
    if (!"spiffe".equals(uri.getScheme()) || uri.getHost() == null || uri.getPath() == null) {
      throw new IllegalArgumentException(
          "spiffe id: '" + spiffeId + "' (expected: spiffe://<trust-domain>/<kind>/<name>)");
    }
    String path = uri.getPath();
    String[] parts = path.startsWith("/") ? path.substring(1).split("/", -1) : new String[0];
    if (parts.length != 2) {
      throw new IllegalArgumentException(
          "spiffe id: '" + spiffeId + "' (expected: spiffe://<trust-domain>/<kind>/<name>)");
    }
    return new MeshIdentity(uri.getHost(), parts[0], parts[1]);
  }

  /** The SPIFFE id, {@code spiffe://<trust-domain>/<kind>/<name>}. */
  public String spiffeId() {
    return "spiffe://" + trustDomain + "/" + kind + "/" + name;
  }

  /** {@code <kind>/<name>}, the form policies and logs use. */
  public String kindAndName() {
    return kind + "/" + name;
  }

  @Override
  public String toString() {
    return spiffeId();
  }
}
