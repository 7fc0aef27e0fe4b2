package dev.meshwork.registry.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Derives instance ids from the instance key, {@code <agent-name>-<12 hex digits>}. Deriving
 * (rather than drawing at random) keeps an id stable across re-registrations and even across
 * registry restarts, so an agent that re-registers after a restart gets its old id back.
 */
final class InstanceIds {

  private static final int HASH_BYTES = 6;

  private InstanceIds() {}

  /**
   * The id for {@code key}; {@code attempt} > 0 yields alternatives for the (astronomically rare)
   * case that two keys hash alike.
   */
  static String idFor(InstanceKey key, int attempt) {
    String salt = attempt == 0 ? "" : "\0" + attempt;
    String material = key.agentName() + '\0' + key.host() + '\0' + key.port() + salt;
    byte[] digest = sha256(material.getBytes(StandardCharsets.UTF_8));
    return key.agentName() + "-" + HexFormat.of().formatHex(digest, 0, HASH_BYTES);
  }

  private static byte[] sha256(byte[] input) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(input);
    } catch (NoSuchAlgorithmException e) {
      // Every Java platform must provide SHA-256.
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }
}
