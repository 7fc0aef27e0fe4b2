package dev.meshwork.e2e;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The real meshctl jar, plus small helpers the end-to-end tests share. */
final class Meshctl {

  private Meshctl() {}

  /** Runs {@code meshctl <args>}. */
  static Exec.Result run(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-jar");
    command.add(Tools.jar("cli/target/meshctl.jar").toString());
    command.addAll(List.of(args));
    return Exec.run(command, Map.of(), null);
  }

  /** {@code meshctl certs init --dir <dir> --user <user>}, failing the test if it fails. */
  static void certsInit(Path dir, String user) throws IOException, InterruptedException {
    Exec.Result result = run("certs", "init", "--dir", dir.toString(), "--user", user);
    if (result.exitCode() != 0) {
      throw new IllegalStateException("meshctl certs init failed: " + result.output());
    }
  }

  /** A port free right now on loopback. */
  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
