package dev.meshwork.e2e;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** One Meshwork service started as a real JVM process from its runnable jar. */
final class MeshProcess implements AutoCloseable {

  private final String name;
  private final List<String> command;
  private final Map<String, String> env;
  private final Path workDir;
  private final Path log;
  private Process process;

  private MeshProcess(
      String name, List<String> command, Map<String, String> env, Path workDir, Path log) {
    this.name = name;
    this.command = command;
    this.env = env;
    this.workDir = workDir;
    this.log = log;
  }

  /** Starts {@code java -jar <jar> <args>} logging to {@code <logDir>/<name>.log}. */
  static MeshProcess start(String name, Path jar, Path logDir, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx256m");
    command.add("-jar");
    command.add(jar.toString());
    command.addAll(List.of(args));
    MeshProcess p = new MeshProcess(name, command, Map.of(), null, logDir.resolve(name + ".log"));
    p.launch();
    return p;
  }

  /**
   * Starts any program (an agent in another language, a tool) in {@code workDir} with {@code env}
   * added to this JVM's environment, logging to {@code <logDir>/<name>.log}.
   */
  static MeshProcess exec(
      String name, List<String> command, Map<String, String> env, Path workDir, Path logDir)
      throws IOException {
    MeshProcess p =
        new MeshProcess(
            name, List.copyOf(command), Map.copyOf(env), workDir, logDir.resolve(name + ".log"));
    p.launch();
    return p;
  }

  private void launch() throws IOException {
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().putAll(env);
    if (workDir != null) {
      builder.directory(workDir.toFile());
    }
    process =
        builder
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
  }

  /** Starts the same command again (after a kill). */
  void restart() throws IOException {
    launch();
  }

  /** Waits until grpcurl's health check says SERVING. */
  void awaitServing(Grpcurl grpcurl, String address) {
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(300))
        .until(
            () -> {
              if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited: " + tail());
              }
              return grpcurl
                  .call(address, "grpc.health.v1.Health/Check")
                  .stdout()
                  .contains("SERVING");
            });
  }

  /** SIGKILL, as a crash would. */
  void kill9() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  /** SIGTERM and wait; returns the exit code. */
  int terminate() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException(name + " ignored SIGTERM for 30s");
    }
    return process.exitValue();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** The end of the process log, for failure messages. */
  String tail() throws IOException {
    List<String> lines = Files.readAllLines(log);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
  }

  @Override
  public void close() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
