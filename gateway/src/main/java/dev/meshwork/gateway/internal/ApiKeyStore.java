package dev.meshwork.gateway.internal;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The configured API keys, by hash. A presented key is hashed and looked up: the plaintext is never
 * stored, and comparing fixed-length digests leaks nothing useful about a near miss.
 */
public final class ApiKeyStore {

  // Every request is hashed: looking up the SHA-256 provider each time cost more than hashing.
  private static final ThreadLocal<MessageDigest> SHA256 =
      ThreadLocal.withInitial(ApiKeyStore::newSha256);
  private static final HexFormat HEX = HexFormat.of();

  private final Map<String, ApiKey> byHash;

  /**
   * A store of {@code keys}.
   *
   * @throws IllegalArgumentException when two keys share a hash or a name
   */
  public ApiKeyStore(List<ApiKey> keys) {
    Map<String, ApiKey> map = new HashMap<>();
    Map<String, ApiKey> names = new HashMap<>();
    for (ApiKey key : keys) {
      if (map.putIfAbsent(key.sha256(), key) != null) {
        throw new IllegalArgumentException(
            "key '" + key.name() + "': the same hash is listed twice");
      }
      if (names.putIfAbsent(key.name(), key) != null) {
        throw new IllegalArgumentException("key '" + key.name() + "': the name is used twice");
      }
    }
    this.byHash = Map.copyOf(map);
  }

  /** A store that knows no key: every protected request gets 401. */
  public static ApiKeyStore empty() {
    return new ApiKeyStore(List.of());
  }

  /** The key whose text is {@code presented}, if configured. */
  public Optional<ApiKey> find(String presented) {
    requireNonNull(presented, "presented");
    return Optional.ofNullable(byHash.get(hash(presented)));
  }

  /** How many keys are configured. */
  public int size() {
    return byHash.size();
  }

  /** The lowercase hex SHA-256 of {@code key}'s UTF-8 text, as the key file stores it. */
  public static String hash(String key) {
    // digest() resets the instance, so each thread reuses one.
    byte[] digest = SHA256.get().digest(key.getBytes(StandardCharsets.UTF_8));
    return HEX.formatHex(digest);
  }

  private static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
