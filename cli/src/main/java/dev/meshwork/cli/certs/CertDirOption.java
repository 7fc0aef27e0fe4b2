package dev.meshwork.cli.certs;

import dev.meshwork.cli.CliEnvironment;
import dev.meshwork.cli.MeshctlException;
import dev.meshwork.core.CertDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --dir} option the certs commands share. */
final class CertDirOption {

  @Option(
      names = "--dir",
      paramLabel = "DIR",
      description =
          "Certificate directory (default: $MESHWORK_CERT_DIR, else $MESHWORK_DATA_DIR/certs,"
              + " else .data/certs).")
  private Path dir;

  /**
   * The directory given with {@code --dir}, else the default for {@code environment}.
   *
   * @throws MeshctlException (usage) when that path exists but is not a directory
   */
  CertDirectory resolve(CliEnvironment environment) {
    CertDirectory certs =
        dir != null
            ? new CertDirectory(dir)
            : CertDirectory.fromEnvironment(environment.variables());
    if (Files.exists(certs.root()) && !Files.isDirectory(certs.root())) {
      throw MeshctlException.usage("--dir: '" + certs.root() + "' is not a directory");
    }
    return certs;
  }
}
