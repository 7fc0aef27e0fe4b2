package dev.meshwork.gateway.internal;

import static java.util.Objects.requireNonNull;

import com.linecorp.armeria.common.HttpMethod;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A route an API key may call: {@code "<METHOD> <path glob>"} or just {@code "<path glob>"} (any
 * method). In the glob, {@code **} matches the rest of a path (slashes included) and {@code *}
 * matches within one segment: {@code GET /v1/**}, {@code POST /v1/runs}, {@code POST
 * /v1/runs/*:cancel}.
 *
 * @param text the pattern as written
 * @param method the HTTP method, empty for any
 * @param path the path as a regular expression
 */
public record RoutePattern(String text, Optional<HttpMethod> method, Pattern path) {

  /** Validates the parts. */
  public RoutePattern {
    requireNonNull(text, "text");
    requireNonNull(method, "method");
    requireNonNull(path, "path");
  }

  /**
   * Parses a pattern.
   *
   * @throws IllegalArgumentException for an unknown method or a glob not starting with {@code /}
   */
  public static RoutePattern parse(String text) {
    requireNonNull(text, "text");
    String[] parts = text.trim().split("\\s+");
    if (parts.length > 2 || parts[0].isEmpty()) {
      throw new IllegalArgumentException(
          "route '" + text + "' (expected: '<METHOD> <path glob>' or '<path glob>')");
    }
    Optional<HttpMethod> method = Optional.empty();
    String glob = parts[0];
    if (parts.length == 2) {
      String name = parts[0].toUpperCase(Locale.ROOT);
      if (!HttpMethod.isSupported(name)) {
        throw new IllegalArgumentException("route '" + text + "': unknown method " + parts[0]);
      }
      method = Optional.of(HttpMethod.valueOf(name));
      glob = parts[1];
    }
    if (!glob.startsWith("/")) {
      throw new IllegalArgumentException("route '" + text + "': path must start with /");
    }
    return new RoutePattern(text.trim(), method, Pattern.compile(toRegex(glob)));
  }

  /** Whether a request with {@code method} to {@code path} matches. */
  public boolean matches(HttpMethod requestMethod, String requestPath) {
    if (method.isPresent() && method.get() != requestMethod) {
      return false;
    }
    return path.matcher(requestPath).matches();
  }

  private static String toRegex(String glob) {
    StringBuilder regex = new StringBuilder();
    int i = 0;
    while (i < glob.length()) {
      if (glob.startsWith("**", i)) {
        regex.append(".*");
        i += 2;
      } else if (glob.charAt(i) == '*') {
        regex.append("[^/]*");
        i++;
      } else {
        int next = glob.indexOf('*', i);
        int end = next < 0 ? glob.length() : next;
        regex.append(Pattern.quote(glob.substring(i, end)));
        i = end;
      }
    }
    return regex.toString();
  }
}
