package dev.meshwork.cli.certs;

import dev.meshwork.cli.MeshctlException;
import dev.meshwork.core.CertDirectory;
import dev.meshwork.core.DevCertificateAuthority;
import java.io.IOException;
import java.nio.file.Files;

/** Loads the CA of a certificate directory, turning problems into meshctl errors. */
final class CaFiles {

  private CaFiles() {}

  /**
   * The CA in {@code dir}.
   *
   * @throws MeshctlException (usage) when there is no CA, (failure) when it cannot be loaded
   */
  static DevCertificateAuthority load(CertDirectory dir) {
    if (!dir.hasCa()) {
      throw MeshctlException.usage(
          "no CA in "
              + dir.root()
              + " (expected ca.crt and ca.key); run 'meshctl certs init"
              + " --dir "
              + dir.root()
              + "' first");
    }
    try {
      return DevCertificateAuthority.load(dir);
    } catch (IOException e) {
      throw MeshctlException.failure(
          "cannot load the CA in " + dir.root() + ": " + e.getMessage(), e);
    }
  }

  /** Whether exactly one of {@code ca.crt} and {@code ca.key} exists. */
  static boolean isHalfPresent(CertDirectory dir) {
    return Files.exists(dir.caCert()) != Files.exists(dir.caKey());
  }
}
