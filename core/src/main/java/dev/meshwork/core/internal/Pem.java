package dev.meshwork.core.internal;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Encodes DER bytes as one PEM block: 64-character base64 lines, {@code \n} line ends. */
public final class Pem {

  private static final Base64.Encoder ENCODER =
      Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));

  private Pem() {}

  /** The block {@code -----BEGIN <type>-----\n<base64>\n-----END <type>-----\n}. */
  public static String encode(String type, byte[] der) {
    requireNonNull(type, "type");
    requireNonNull(der, "der");
    return "-----BEGIN " + type + "-----\n"
        + ENCODER.encodeToString(der) + "\n"
        + "-----END " + type + "-----\n";
  }
}
