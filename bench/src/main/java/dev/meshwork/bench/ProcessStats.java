package dev.meshwork.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * CPU time and memory of a process, read from /proc (Linux).
 *
 * @param cpuMillis CPU time of all its threads (user + system)
 * @param rssKib resident set size now
 * @param peakRssKib the highest resident set size so far
 * @param jitCpuMillis CPU time of its JVM's JIT compiler threads (0 for other processes), part of
 *     {@code cpuMillis}: a JVM that is still compiling is not warm yet
 */
record ProcessStats(long cpuMillis, long rssKib, long peakRssKib, long jitCpuMillis) {

  private static final long CLOCK_TICKS_PER_SECOND = 100;

  /** Reads the current figures of {@code pid}. */
  static ProcessStats of(long pid) throws IOException {
    Path proc = Path.of("/proc", String.valueOf(pid));
    long ticks = cpuTicks(Files.readString(proc.resolve("stat")));
    long rss = 0;
    long peak = 0;
    for (String line : Files.readAllLines(proc.resolve("status"))) {
      if (line.startsWith("VmRSS:")) {
        rss = kib(line);
      } else if (line.startsWith("VmHWM:")) {
        peak = kib(line);
      }
    }
    long jitTicks = 0;
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(proc.resolve("task"))) {
      for (Path task : tasks) {
        try {
          String stat = Files.readString(task.resolve("stat"));
          // HotSpot names them "C1 CompilerThread0", "C2 CompilerThread1" (cut to 15 chars).
          if (stat.contains("(C1 CompilerThre") || stat.contains("(C2 CompilerThre")) {
            jitTicks += cpuTicks(stat);
          }
        } catch (NoSuchFileException ended) {
          // The thread ended while the directory was read.
        }
      }
    }
    return new ProcessStats(toMillis(ticks), rss, peak, toMillis(jitTicks));
  }

  /** utime + stime of a {@code stat} line. */
  private static long cpuTicks(String stat) {
    // Fields after the command name (which may contain spaces) start after the last ')'.
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
  }

  private static long toMillis(long ticks) {
    return ticks * 1000 / CLOCK_TICKS_PER_SECOND;
  }

  private static long kib(String line) {
    return Long.parseLong(line.replaceAll("[^0-9]", ""));
  }
}
