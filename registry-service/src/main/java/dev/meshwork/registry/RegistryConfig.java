package dev.meshwork.registry;

import static java.util.Objects.requireNonNull;

import dev.meshwork.core.ServerConfig;
import dev.meshwork.core.Settings;
import java.time.Duration;

/**
 * How the registry runs. Besides the server settings every process has ({@link ServerConfig};
 * default port {@value #DEFAULT_PORT}, identity {@value #DEFAULT_IDENTITY}):
 *
 * <ul>
 *   <li>{@code --history-size} / {@code MESHWORK_HISTORY_SIZE}, 10000: changes kept so watchers
 *       can resume from a revision; older revisions get REVISION_COMPACTED.
 *   <li>{@code --watcher-buffer} / {@code MESHWORK_WATCHER_BUFFER}, 1024: live events a watcher may
 *       fall behind before it is cut off with WATCHER_TOO_SLOW.
 *   <li>{@code --sweep-interval} / {@code MESHWORK_SWEEP_INTERVAL}, 500ms: how often expired
 *       leases are removed.
 * </ul>
 *
 * @param server how the server listens and authenticates
 * @param historySize changes kept for resuming watches
 * @param watcherBufferSize live events a watcher may fall behind
 * @param sweepInterval how often expired leases are removed
 */
public record RegistryConfig(
    ServerConfig server, int historySize, int watcherBufferSize, Duration sweepInterval) {

  /** The registry's default port. */
  public static final int DEFAULT_PORT = 7001;

  /** The registry's default identity. */
  public static final String DEFAULT_IDENTITY = "registry/registry";

  /** Validates the parts. */
  public RegistryConfig {
    requireNonNull(server, "server");
    requireNonNull(sweepInterval, "sweepInterval");
    if (historySize < 1) {
      throw new IllegalArgumentException("historySize: " + historySize + " (expected: >= 1)");
    }
    if (watcherBufferSize < 1) {
      throw new IllegalArgumentException(
          "watcherBufferSize: " + watcherBufferSize + " (expected: >= 1)");
    }
    if (sweepInterval.isNegative() || sweepInterval.isZero()) {
      throw new IllegalArgumentException("sweepInterval: " + sweepInterval + " (expected: > 0)");
    }
  }

  /**
   * Reads the settings.
   *
   * @throws dev.meshwork.core.ConfigException naming a bad setting
   */
  public static RegistryConfig fromSettings(Settings settings) {
    return new RegistryConfig(
        ServerConfig.fromSettings(settings, DEFAULT_PORT, DEFAULT_IDENTITY),
        settings.integer("history-size", 10_000, 1, 10_000_000),
        settings.integer("watcher-buffer", 1024, 1, 1_000_000),
        settings.duration(
            "sweep-interval",
            Duration.ofMillis(500),
            Duration.ofMillis(10),
            Duration.ofMinutes(1)));
  }
}
