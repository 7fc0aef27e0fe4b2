package dev.meshwork.gateway.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.meshwork.core.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Reads the API key file ({@code --api-keys-file}), YAML:
 *
 * <pre>
 * keys:
 *   - name: dashboard                 # a label for logs; the key itself is never logged
 *     sha256: 9f86d081884c7d65...     # hex SHA-256 of the key (GatewayMain --hash-key)
 *     allow:                          # "&lt;METHOD&gt; &lt;path glob&gt;" or "&lt;path glob&gt;"
 *       - GET /v1/**
 *     rate: 20                        # requests per second; default 50
 *     burst: 40                       # bucket size; default twice the rate
 * </pre>
 *
 * <p>Any mistake fails startup with one line naming the file and the entry: a gateway that silently
 * dropped a key (or accepted a plaintext one) would be worse than one that does not start.
 */
public final class ApiKeysFile {

  private static final Set<String> FIELDS = Set.of("name", "sha256", "allow", "rate", "burst");
  private static final YAMLMapper YAML = new YAMLMapper();

  private ApiKeysFile() {}

  /**
   * Loads {@code file}.
   *
   * @throws ConfigException when it cannot be read or is invalid
   */
  public static ApiKeyStore load(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new ConfigException(
          "--api-keys-file / MESHWORK_API_KEYS_FILE: cannot read '"
              + file
              + "': "
              + e.getMessage());
    }
    return parse(text, file.toString());
  }

  /**
   * Parses the YAML {@code text}; {@code source} names it in errors.
   *
   * @throws ConfigException when invalid
   */
  public static ApiKeyStore parse(String text, String source) {
    JsonNode root;
    try {
      root = YAML.readTree(text);
    } catch (JsonProcessingException e) {
      throw fail(source, "not YAML: " + e.getOriginalMessage());
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      return ApiKeyStore.empty();
    }
    JsonNode keys = root.get("keys");
    if (!root.isObject() || root.size() != 1 || keys == null || !keys.isArray()) {
      throw fail(source, "expected a single top-level 'keys:' list");
    }
    List<ApiKey> parsed = new ArrayList<>();
    for (int i = 0; i < keys.size(); i++) {
      parsed.add(key(keys.get(i), source, "keys[" + i + "]"));
    }
    try {
      return new ApiKeyStore(parsed);
    } catch (IllegalArgumentException e) {
      throw fail(source, e.getMessage());
    }
  }

  private static ApiKey key(JsonNode node, String source, String where) {
    if (!node.isObject()) {
      throw fail(source, where + ": expected a mapping with name, sha256, allow");
    }
    Iterator<String> names = node.fieldNames();
    while (names.hasNext()) {
      String field = names.next();
      if (!FIELDS.contains(field)) {
        String hint =
            field.equals("key") || field.equals("value")
                ? " (keys are stored as their sha256, never in plain text)"
                : " (expected: " + String.join(", ", FIELDS.stream().sorted().toList()) + ")";
        throw fail(source, where + "." + field + ": unknown field" + hint);
      }
    }
    String name = text(node, "name", source, where);
    String sha256 = text(node, "sha256", source, where);
    JsonNode allowNode = node.get("allow");
    if (allowNode == null || !allowNode.isArray() || allowNode.isEmpty()) {
      throw fail(source, where + ".allow: expected a non-empty list of routes");
    }
    List<RoutePattern> allow = new ArrayList<>();
    for (int i = 0; i < allowNode.size(); i++) {
      try {
        allow.add(RoutePattern.parse(allowNode.get(i).asText()));
      } catch (IllegalArgumentException e) {
        throw fail(source, where + ".allow[" + i + "]: " + e.getMessage());
      }
    }
    try {
      return new ApiKey(name, sha256, allow, rateLimit(node));
    } catch (IllegalArgumentException e) {
      throw fail(source, where + " (" + name + "): " + e.getMessage());
    }
  }

  private static RateLimit rateLimit(JsonNode node) {
    JsonNode rate = node.get("rate");
    JsonNode burst = node.get("burst");
    if (rate == null && burst == null) {
      return RateLimit.DEFAULT;
    }
    double perSecond = rate == null ? RateLimit.DEFAULT.perSecond() : number(rate, "rate");
    int size =
        burst == null ? (int) Math.max(1, Math.ceil(perSecond * 2)) : (int) number(burst, "burst");
    return new RateLimit(perSecond, size);
  }

  private static double number(JsonNode node, String field) {
    if (!node.isNumber()) {
      throw new IllegalArgumentException(field + ": '" + node.asText() + "' (expected: a number)");
    }
    return node.asDouble();
  }

  private static String text(JsonNode node, String field, String source, String where) {
    JsonNode value = node.get(field);
    if (value == null || !value.isTextual() || value.asText().isBlank()) {
      throw fail(source, where + "." + field + ": missing (expected: text)");
    }
    return value.asText().trim();
  }

  private static ConfigException fail(String source, String message) {
    return new ConfigException(
        "--api-keys-file / MESHWORK_API_KEYS_FILE: " + source + ": " + message);
  }
}
