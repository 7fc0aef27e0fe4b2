package dev.meshwork.gateway.internal;

import static java.util.Objects.requireNonNull;

import dev.meshwork.core.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * Issues a new random API key: appends its hash (never the key) to a key file, creating the file
 * when missing, and hands the key back once, to be shown to whoever asked. For setting up a
 * development mesh in one step ({@code GatewayMain --new-api-key FILE}).
 */
public final class ApiKeyIssuer {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  private ApiKeyIssuer() {}

  /**
   * Adds a key named {@code name} allowed {@code route} to {@code file} and returns the key.
   *
   * @throws ConfigException when the name is malformed, or the file cannot be written or would no
   *     longer be valid (it is then left as it was)
   */
  public static String issue(Path file, String name, String route) {
    requireNonNull(file, "file");
    if (!NAME.matcher(name).matches()) {
      throw new ConfigException("--key-name: '" + name + "' (expected: 1-64 of A-Z a-z 0-9 . _ -)");
    }
    try {
      RoutePattern.parse(route);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("--key-allow: " + e.getMessage());
    }
    byte[] secret = new byte[32];
    RANDOM.nextBytes(secret);
    String key = "mw_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    try {
      String before = Files.exists(file) ? Files.readString(file) : "";
      String prefix = before.isBlank() ? "keys:\n" : before.endsWith("\n") ? before : before + "\n";
      String after =
          prefix
              + "  - name: "
              + name
              + "\n"
              + "    sha256: "
              + ApiKeyStore.hash(key)
              + "\n"
              + "    allow: [\""
              + route
              + "\"]\n";
      ApiKeysFile.parse(after, file.toString());
      if (file.getParent() != null) {
        Files.createDirectories(file.getParent());
      }
      Files.writeString(file, after);
    } catch (IOException e) {
      throw new ConfigException("--new-api-key: cannot write '" + file + "': " + e.getMessage());
    }
    return key;
  }
}
