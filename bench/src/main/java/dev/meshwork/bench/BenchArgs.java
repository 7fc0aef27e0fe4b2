package dev.meshwork.bench;

import static java.util.Objects.requireNonNull;

import dev.meshwork.core.Settings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * The flags of a scenario (everything after its name), with the settings every scenario shares:
 * {@code --root} (the checkout, to find the service jars), {@code --duration}, {@code
 * --jvm-options} for the processes a scenario starts.
 */
final class BenchArgs {

  private final Settings settings;

  private BenchArgs(Settings settings) {
    this.settings = settings;
  }

  /** Parses {@code args[1..]}; flags win over {@code MESHWORK_*} variables. */
  static BenchArgs of(String[] args) {
    requireNonNull(args, "args");
    return new BenchArgs(
        Settings.of(
            Arrays.copyOfRange(args, Math.min(1, args.length), args.length), System.getenv()));
  }

  Settings settings() {
    return settings;
  }

  /** The checkout ({@code --root}, default the current directory). */
  Path root() {
    return Path.of(settings.string("root", "."));
  }

  /** A path under the checkout, overridable by {@code --<flag>}. */
  Path jar(String flag, String underRoot) {
    return settings.path(flag, root().resolve(underRoot));
  }

  /** The registry service jar ({@code --registry-jar}). */
  Path registryJar() {
    return jar("registry-jar", "registry-service/target/meshwork-registry.jar");
  }

  /** The orchestrator service jar ({@code --orchestrator-jar}). */
  Path orchestratorJar() {
    return jar("orchestrator-jar", "orchestrator-service/target/meshwork-orchestrator.jar");
  }

  /** The unmeasured time before a measurement ({@code --warmup}), at most ten minutes. */
  Duration warmup(Duration defaultValue) {
    return settings.duration("warmup", defaultValue, Duration.ZERO, Duration.ofMinutes(10));
  }

  /**
   * The longest a throughput phase warms until the JIT has settled ({@code --settle-jit}, default
   * 8 min; 0 skips it): see {@link JitSettling}.
   */
  Duration settleJitMax() {
    return settings.duration(
        "settle-jit", Duration.ofMinutes(8), Duration.ZERO, Duration.ofMinutes(30));
  }

  /** Where a scenario's temporary directory and stores go ({@code --store-dir}, default tmp). */
  Path storeDir() {
    return settings.path("store-dir", Path.of(System.getProperty("java.io.tmpdir")));
  }

  Duration duration(Duration defaultValue) {
    return settings.duration("duration", defaultValue, Duration.ofSeconds(1), Duration.ofHours(1));
  }

  List<String> jvmOptions(String defaultValue) {
    return List.of(settings.string("jvm-options", defaultValue).split(" "));
  }

  /**
   * Whether tracing stays on ({@code --tracing}); off by default, in this JVM and the processes it
   * starts, so that the figures do not depend on whether a collector happens to be listening.
   */
  boolean tracing() {
    return settings.bool("tracing", false);
  }

  /** Fails on flags no scenario read. */
  void done() {
    settings.rejectUnknownFlags();
  }
}
