package dev.meshwork.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU time and memory of a process, read from /proc (Linux). */
record ProcessStats(long cpuMillis, long rssKib, long peakRssKib) {

  private static final long CLOCK_TICKS_PER_SECOND = 100;

  /** Reads the current figures of {@code pid}. */
  static ProcessStats of(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
    // Fields after the command name (which may contain spaces) start after the last ')'.
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime + stime
    long rss = 0;
    long peak = 0;
    for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
      if (line.startsWith("VmRSS:")) {
        rss = kib(line);
      } else if (line.startsWith("VmHWM:")) {
        peak = kib(line);
      }
    }
    return new ProcessStats(ticks * 1000 / CLOCK_TICKS_PER_SECOND, rss, peak);
  }

  private static long kib(String line) {
    return Long.parseLong(line.replaceAll("[^0-9]", ""));
  }
}
