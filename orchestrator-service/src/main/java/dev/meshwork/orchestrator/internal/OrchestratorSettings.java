package dev.meshwork.orchestrator.internal;

import static java.util.Objects.requireNonNull;

import dev.meshwork.core.Settings;
import dev.meshwork.core.TlsConfig;
import dev.meshwork.orchestrator.internal.engine.EngineConfig;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The orchestrator's own settings (flag / environment variable, default):
 *
 * <ul>
 *   <li>{@code --registry} / {@code MESHWORK_REGISTRY}, {@code localhost:7001}: where skills are
 *       resolved ({@code mesh:///skill/<id>}) and checked.
 *   <li>{@code --data-dir} / {@code MESHWORK_DATA_DIR}, {@code .data}: runs are stored in {@code
 *       <data-dir>/orchestrator/runs.mv.db}.
 *   <li>{@code --max-in-flight}, 256: agent calls running at once.
 *   <li>{@code --skill-concurrency}, 64: agent calls of one skill running at once.
 *   <li>{@code --max-pending}, 10000: queued plus running calls above which StartRun answers
 *       RESOURCE_EXHAUSTED.
 *   <li>{@code --max-active-runs}, 10000: unfinished runs above which StartRun answers
 *       RESOURCE_EXHAUSTED.
 *   <li>{@code --default-run-timeout}, 10m: a run's budget when neither StartRun nor the workflow
 *       sets one.
 *   <li>{@code --breaker-delay}, 30s: how long a skill's open circuit breaker waits before a trial
 *       call.
 *   <li>{@code --watch-buffer}, 1024: events a watcher may lag behind before it is cut off.
 *   <li>{@code --watch-history}, 10000: events of all runs kept so that a WatchRuns client can
 *       resume after a dropped stream ({@code after_position}).
 * </ul>
 *
 * @param registry the registry's address
 * @param storeDir the directory of the run store
 * @param engine engine limits and timings
 * @param watchBuffer events a watcher may lag behind
 * @param watchHistory firehose events kept for resuming WatchRuns clients
 */
public record OrchestratorSettings(
    String registry, Path storeDir, EngineConfig engine, int watchBuffer, int watchHistory) {

  /** Validates the parts. */
  public OrchestratorSettings {
    requireNonNull(registry, "registry");
    requireNonNull(storeDir, "storeDir");
    requireNonNull(engine, "engine");
  }

  /**
   * Reads the settings.
   *
   * @throws dev.meshwork.core.ConfigException naming a bad value
   */
  public static OrchestratorSettings fromSettings(Settings settings) {
    EngineConfig engine =
        EngineConfig.builder()
            .maxInFlight(settings.integer("max-in-flight", 256, 1, 100_000))
            .skillConcurrency(settings.integer("skill-concurrency", 64, 1, 100_000))
            .maxPendingWork(settings.integer("max-pending", 10_000, 1, 10_000_000))
            .maxActiveRuns(settings.integer("max-active-runs", 10_000, 1, 10_000_000))
            .defaultRunTimeout(
                settings.duration(
                    "default-run-timeout",
                    Duration.ofMinutes(10),
                    Duration.ofSeconds(1),
                    Duration.ofDays(30)))
            .breakerDelay(
                settings.duration(
                    "breaker-delay",
                    Duration.ofSeconds(30),
                    Duration.ofMillis(100),
                    Duration.ofHours(1)))
            .build();
    return new OrchestratorSettings(
        settings.string("registry", "localhost:7001"),
        TlsConfig.dataDir(settings).resolve("orchestrator"),
        engine,
        settings.integer("watch-buffer", 1024, 1, 1_000_000),
        settings.integer("watch-history", 10_000, 1, 1_000_000));
  }
}
