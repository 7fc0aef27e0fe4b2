package dev.meshwork.orchestrator.internal.store;

import dev.meshwork.core.MeshException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Opaque page tokens: the base64 of the last item's sort key, so a page continues exactly after the
 * previous one even while new items arrive.
 */
final class PageTokens {

  private PageTokens() {}

  static String encode(String key) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(key.getBytes(StandardCharsets.UTF_8));
  }

  static String decode(String token) {
    try {
      return new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw MeshException.invalidArgument(
          "page_token", "'" + token + "' (expected: a next_page_token from a previous response)");
    }
  }
}
