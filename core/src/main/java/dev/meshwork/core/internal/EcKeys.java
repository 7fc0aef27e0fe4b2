package dev.meshwork.core.internal;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;

/** EC P-256 keys: generation, and checking that a private key belongs to a public key. */
public final class EcKeys {

  /** The signature algorithm certificates are signed with. */
  public static final String SIGNATURE_ALGORITHM = "SHA256withECDSA";

  private static final SecureRandom RANDOM = new SecureRandom();

  private EcKeys() {}

  /** A fresh P-256 ({@code secp256r1}) key pair. */
  public static KeyPair generate() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot generate an EC P-256 key pair", e);
    }
  }

  /**
   * Whether {@code privateKey} is the private half of {@code publicKey}, tested by signing and
   * verifying a message. Keys of other algorithms than EC and RSA never match.
   */
  public static boolean matches(PrivateKey privateKey, PublicKey publicKey) {
    requireNonNull(privateKey, "privateKey");
    requireNonNull(publicKey, "publicKey");
    String algorithm =
        switch (publicKey.getAlgorithm()) {
          case "EC" -> SIGNATURE_ALGORITHM;
          case "RSA" -> "SHA256withRSA";
          default -> null;
        };
    if (algorithm == null || !publicKey.getAlgorithm().equals(privateKey.getAlgorithm())) {
      return false;
    }
    byte[] message = "meshwork key check".getBytes(StandardCharsets.US_ASCII);
    try {
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(privateKey);
      signer.update(message);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(publicKey);
      verifier.update(message);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }
}
