package dev.meshwork.gateway.internal;

import static java.util.Objects.requireNonNull;

import com.linecorp.armeria.common.HttpMethod;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One configured API key, known only by the SHA-256 of its text.
 *
 * @param name a label for logs and metrics; the key itself is never logged
 * @param sha256 the lowercase hex SHA-256 of the key's UTF-8 text
 * @param allow the routes the key may call
 * @param rateLimit its request budget
 */
public record ApiKey(String name, String sha256, List<RoutePattern> allow, RateLimit rateLimit) {

  private static final Pattern HEX_SHA256 = Pattern.compile("[0-9a-f]{64}");

  /** Validates the parts. */
  public ApiKey {
    requireNonNull(name, "name");
    requireNonNull(sha256, "sha256");
    allow = List.copyOf(allow);
    requireNonNull(rateLimit, "rateLimit");
    if (name.isBlank()) {
      throw new IllegalArgumentException("name: '' (expected: a label)");
    }
    if (!HEX_SHA256.matcher(sha256).matches()) {
      throw new IllegalArgumentException(
          "sha256: not 64 lowercase hex digits (store the hash of the key, never the key)");
    }
  }

  /** Whether the key may call {@code method} on {@code path}. */
  public boolean allows(HttpMethod method, String path) {
    // A loop, not a stream: this runs on every request.
    for (RoutePattern pattern : allow) {
      if (pattern.matches(method, path)) {
        return true;
      }
    }
    return false;
  }
}
