package dev.meshwork.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs a command to completion (bounded in time) and captures its output. */
final class Exec {

  /** What a finished command left. */
  record Result(int exitCode, String stdout, String stderr) {
    /** Both streams, for assertions on error text wherever the tool prints it. */
    String output() {
      return stdout + stderr;
    }
  }

  private Exec() {}

  static Result run(List<String> command, Map<String, String> env, Path workDir)
      throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().putAll(env);
    if (workDir != null) {
      pb.directory(workDir.toFile());
    }
    Process process = pb.start();
    process.getOutputStream().close();
    // Read both streams concurrently so a chatty process cannot block on a full pipe.
    CompletableFuture<String> out = new CompletableFuture<>();
    CompletableFuture<String> err = new CompletableFuture<>();
    daemon(() -> out.complete(read(process.getInputStream())));
    daemon(() -> err.complete(read(process.getErrorStream())));
    if (!process.waitFor(120, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException("timed out after 120s: " + command);
    }
    return new Result(process.exitValue(), out.join(), err.join());
  }

  static Result run(String... command) throws IOException, InterruptedException {
    return run(new ArrayList<>(List.of(command)), Map.of(), null);
  }

  private static void daemon(Runnable task) {
    Thread thread = new Thread(task, "exec-reader");
    thread.setDaemon(true);
    thread.start();
  }

  private static String read(InputStream in) {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "<unreadable: " + e + ">";
    }
  }
}
