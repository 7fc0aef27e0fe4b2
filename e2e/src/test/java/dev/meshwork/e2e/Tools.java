package dev.meshwork.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Where the end-to-end tests find the repository, the service jars and the external tools. */
final class Tools {

  private Tools() {}

  /** The repository root (set by the e2e pom). */
  static Path root() {
    return Path.of(System.getProperty("meshwork.root", "..")).toAbsolutePath().normalize();
  }

  /** A runnable jar of the build, failing clearly when it was not packaged. */
  static Path jar(String relative) {
    Path jar = root().resolve(relative);
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " not built; run `mvn install` from the root");
    }
    return jar;
  }

  /** A tool installed by `./mesh tools` (grpcurl, buf, ...), failing clearly when missing. */
  static Path tool(String name) {
    String dir = System.getenv("MESHWORK_TOOLS");
    Path candidate =
        dir != null
            ? Path.of(dir, name)
            : Path.of(System.getProperty("user.home"), ".cache", "meshwork", "bin", name);
    if (Files.isExecutable(candidate)) {
      return candidate;
    }
    throw new IllegalStateException(
        name + " not found at " + candidate + "; run `./mesh tools` (or `./mesh test`) first");
  }

  /** The Go sample agent's binary, built by agents/go/build.sh (idempotent) when missing. */
  static Path goEcho() throws IOException, InterruptedException {
    Path binary = root().resolve("agents/go/bin/go-echo");
    if (!Files.isExecutable(binary)) {
      Exec.Result build = Exec.run(
          List.of(root().resolve("agents/go/build.sh").toString()), Map.of(), root());
      if (build.exitCode() != 0) {
        throw new IllegalStateException("agents/go/build.sh failed: " + build.output());
      }
    }
    return binary;
  }

  /** A fresh directory for logs of one test class under target/. */
  static Path logDir(String name) throws IOException {
    return Files.createDirectories(root().resolve("e2e/target/e2e-logs").resolve(name));
  }
}
