package dev.meshwork.bench;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A service jar started as a child process for one benchmark run, its output in a log file. */
final class JavaProcess implements AutoCloseable {

  private final String name;
  private final Process process;
  private final Path log;

  private JavaProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  /**
   * Starts {@code java <jvmOptions> -jar <jar> <args>} with {@code env} added to this process's
   * environment; output goes to {@code <logDir>/<name>.log}.
   */
  static JavaProcess start(
      String name,
      Path jar,
      List<String> jvmOptions,
      List<String> args,
      Map<String, String> env,
      Path logDir)
      throws IOException {
    requireNonNull(name, "name");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("-jar");
    command.add(requireNonNull(jar, "jar").toString());
    command.addAll(args);
    Path log = logDir.resolve(name + ".log");
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().putAll(env);
    return new JavaProcess(name, builder.start(), log);
  }

  long pid() {
    return process.pid();
  }

  /** Fails with the log's location when the process has already exited. */
  void checkAlive() {
    if (!process.isAlive()) {
      throw new IllegalStateException(
          name + " exited with status " + process.exitValue() + "; see " + log);
    }
  }

  ProcessStats stats() throws IOException {
    return ProcessStats.of(process.pid());
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }

  /** A port free right now on the loopback interface. */
  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
