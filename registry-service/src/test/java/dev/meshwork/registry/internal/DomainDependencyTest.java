package dev.meshwork.registry.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Guards the house rule: the domain never imports {@code io.grpc} (only internal.grpc does). */
class DomainDependencyTest {

  private static final Path DOMAIN = Path.of("src/main/java/dev/meshwork/registry/internal");

  @Test
  void domainSources_importNoGrpc() throws IOException {
    List<Path> offenders;
    try (Stream<Path> files = Files.list(DOMAIN)) {
      offenders = files
          .filter(p -> p.toString().endsWith(".java"))
          .filter(DomainDependencyTest::importsGrpc)
          .toList();
    }

    assertThat(Files.isDirectory(DOMAIN)).isTrue();
    assertThat(offenders).isEmpty();
  }

  private static boolean importsGrpc(Path file) {
    try {
      return Files.readAllLines(file).stream().anyMatch(l -> l.startsWith("import io.grpc"));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
