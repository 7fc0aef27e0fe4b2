package dev.meshwork.registry.internal;

import static java.util.Objects.requireNonNull;

import dev.meshwork.core.MeshException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Where the next page of a listing starts. Opaque to clients (base64url); it names the last
 * instance id returned, so paging stays stable while instances come and go, and it is bound to
 * the filter it was issued for.
 *
 * @param filterFingerprint {@link InstanceMatcher#fingerprint()} of the listing's filter
 * @param lastInstanceId the id of the last instance of the previous page
 */
record PageToken(String filterFingerprint, String lastInstanceId) {

  private static final String VERSION = "v1";
  private static final char SEPARATOR = '\n';

  PageToken {
    requireNonNull(filterFingerprint, "filterFingerprint");
    requireNonNull(lastInstanceId, "lastInstanceId");
  }

  String encode() {
    String plain = VERSION + SEPARATOR + filterFingerprint + SEPARATOR + lastInstanceId;
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(plain.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Reads a token issued for a listing with the filter whose fingerprint is {@code
   * filterFingerprint}.
   *
   * @throws MeshException {@code INVALID_ARGUMENT} for a token that is malformed or was issued for
   *     another filter
   */
  static PageToken decode(String token, String filterFingerprint) {
    String plain;
    try {
      plain = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw malformed();
    }
    String[] parts = plain.split(String.valueOf(SEPARATOR), -1);
    if (parts.length != 3 || !VERSION.equals(parts[0]) || parts[2].isEmpty()) {
      throw malformed();
    }
    if (!parts[1].equals(filterFingerprint)) {
      throw MeshException.invalidArgument(
          "page_token",
          "issued for a different filter (expected: the same filter as the first page)");
    }
    return new PageToken(parts[1], parts[2]);
  }

  private static MeshException malformed() {
    return MeshException.invalidArgument(
        "page_token", "not a token from a previous response (expected: next_page_token)");
  }
}
