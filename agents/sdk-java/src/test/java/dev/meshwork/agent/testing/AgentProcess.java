package dev.meshwork.agent.testing;

import static java.util.Objects.requireNonNull;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A Java main class run as its own process with the test class path, so that tests can kill it
 * for real (SIGKILL) or stop it the way an orchestrator would (SIGTERM). Its stderr goes to a log
 * file; it must print {@code READY <port>} on stdout once serving.
 */
public final class AgentProcess implements AutoCloseable {

  private final Process process;
  private final int port;
  private final Path log;

  private AgentProcess(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /** Starts {@code mainClass} with {@code args}, waiting up to 30s for its READY line. */
  public static AgentProcess start(Class<?> mainClass, Path log, List<String> args) {
    requireNonNull(mainClass, "mainClass");
    List<String> command = new ArrayList<>();
    command.add(java());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(mainClass.getName());
    command.addAll(args);
    try {
      Files.createDirectories(log.getParent());
      Process process = processBuilder(command, log).start();
      // Its own thread: callers may be starting several processes from a shared pool.
      CompletableFuture<Integer> ready = new CompletableFuture<>();
      Thread reader =
          new Thread(
              () -> {
                try {
                  ready.complete(readyPort(process));
                } catch (RuntimeException e) {
                  ready.completeExceptionally(e);
                }
              },
              "agent-ready");
      reader.setDaemon(true);
      reader.start();
      try {
        // Generous: a JVM starting while a loaded 2-core machine runs other tests can take long;
        // a healthy start takes a second or two and never waits for this.
        return new AgentProcess(process, ready.get(90, TimeUnit.SECONDS), log);
      } catch (InterruptedException | ExecutionException | TimeoutException e) {
        process.destroyForcibly();
        throw new IllegalStateException(
            "agent process did not get ready; see " + log + ":\n" + Files.readString(log), e);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Starts {@code java -jar jar args} and waits up to 60s until it accepts connections on {@code
   * port} (for mains that print no READY line, such as the registry).
   */
  public static AgentProcess startJar(Path jar, Path log, List<String> args, int port) {
    List<String> command = new ArrayList<>(List.of(java(), "-jar", jar.toString()));
    command.addAll(args);
    try {
      Files.createDirectories(log.getParent());
      Process process =
          processBuilder(command, log).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (System.nanoTime() < deadline) {
        if (!process.isAlive()) {
          throw new IllegalStateException(
              "process exited with " + process.exitValue() + "; see " + log + ":\n"
                  + Files.readString(log));
        }
        try (java.net.Socket socket = new java.net.Socket()) {
          socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 1000);
          return new AgentProcess(process, port, log);
        } catch (IOException notYet) {
          Thread.sleep(100); // polling a port that is not open yet; nothing to wait on instead
        }
      }
      process.destroyForcibly();
      throw new IllegalStateException("port " + port + " not open within 60s; see " + log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A free TCP port on 127.0.0.1 (free now; a process started right after can take it). */
  public static int freePort() {
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The port it serves on. */
  public int port() {
    return port;
  }

  /** Its stderr log. */
  public Path log() {
    return log;
  }

  /** SIGKILL: no shutdown hook, no deregistration, connections reset. */
  public void kill() {
    process.destroyForcibly();
  }

  /** SIGTERM: the agent's graceful shutdown runs. */
  public void terminate() {
    process.destroy();
  }

  /** Waits for the process to exit. */
  public boolean awaitExit(Duration timeout) throws InterruptedException {
    return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * The exit status.
   *
   * @throws IllegalThreadStateException while still running
   */
  public int exitCode() {
    return process.exitValue();
  }

  /** True while running. */
  public boolean isAlive() {
    return process.isAlive();
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static ProcessBuilder processBuilder(List<String> command, Path log) {
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.to(log.toFile()));
    // No collector in tests: keep the processes from trying to export spans.
    builder.environment().put("OTEL_SDK_DISABLED", "true");
    return builder;
  }

  private static int readyPort(Process process) {
    BufferedReader out =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    try {
      String line;
      while ((line = out.readLine()) != null) {
        if (line.startsWith("READY ")) {
          int port = Integer.parseInt(line.substring("READY ".length()).trim());
          // Keep draining stdout so the child never blocks on a full pipe.
          Thread drainer = new Thread(() -> drain(out), "agent-stdout");
          drainer.setDaemon(true);
          drainer.start();
          return port;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    throw new IllegalStateException("agent process exited before READY");
  }

  private static void drain(BufferedReader out) {
    try {
      while (out.readLine() != null) {
        // discard
      }
    } catch (IOException ignored) {
      // The process is gone.
    }
  }
}
