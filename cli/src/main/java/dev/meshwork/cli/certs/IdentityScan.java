package dev.meshwork.cli.certs;

import dev.meshwork.core.CertDirectory;
import dev.meshwork.core.MeshIdentity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** Finds the identities that have a certificate file in a directory. */
final class IdentityScan {

  private static final String SUFFIX = ".crt";

  private IdentityScan() {}

  /** Every {@code <kind>/<name>.crt} in {@code dir} with a valid kind and name, sorted. */
  static List<MeshIdentity> identities(CertDirectory dir, String trustDomain) throws IOException {
    List<MeshIdentity> found = new ArrayList<>();
    for (String kind : MeshIdentity.KINDS.stream().sorted().toList()) {
      Path kindDir = dir.root().resolve(kind);
      if (!Files.isDirectory(kindDir)) {
        continue;
      }
      try (Stream<Path> files = Files.list(kindDir)) {
        files
            .map(file -> file.getFileName().toString())
            .filter(name -> name.endsWith(SUFFIX) && !name.startsWith("."))
            .sorted()
            .forEach(name -> parse(trustDomain, kind, name).ifPresent(found::add));
      }
    }
    return found;
  }

  private static Optional<MeshIdentity> parse(String trustDomain, String kind, String fileName) {
    String name = fileName.substring(0, fileName.length() - SUFFIX.length());
    try {
      return Optional.of(new MeshIdentity(trustDomain, kind, name));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
