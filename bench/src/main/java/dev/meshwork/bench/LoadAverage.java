package dev.meshwork.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The machine's load average (1, 5, 15 minutes) and core count, for the report's header. */
final class LoadAverage {

  private LoadAverage() {}

  /** For example {@code 1.23 0.98 0.75 (2 cores)}. */
  static String read() {
    int cores = Runtime.getRuntime().availableProcessors();
    try {
      String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return fields[0] + " " + fields[1] + " " + fields[2] + " (" + cores + " cores)";
    } catch (IOException | RuntimeException e) {
      return "unknown (" + cores + " cores)";
    }
  }
}
