package dev.meshwork.bench;

import dev.meshwork.core.ConfigException;
import dev.meshwork.core.Settings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * Runs a benchmark scenario and prints its report:
 *
 * <pre>
 * java -jar bench/target/meshwork-bench.jar registry [--instances 10000] [--renew-rate 2000]
 *     [--watchers 100] [--duration 30s] [--probes 200]
 * </pre>
 *
 * <p>Exit code 0 when every goal is met, 1 when one is missed, 2 for bad arguments.
 */
public final class BenchMain {

  private BenchMain() {}

  /** Entry point. */
  public static void main(String[] args) throws Exception {
    if (args.length == 0 || !args[0].equals("registry")) {
      System.err.println("usage: meshwork-bench registry [--instances N] [--renew-rate N/s]"
          + " [--watchers N] [--duration 30s] [--probes N]");
      System.exit(2);
    }
    RegistryBench.Options options;
    try {
      Settings settings = Settings.of(Arrays.copyOfRange(args, 1, args.length), System.getenv());
      Path root = Path.of(settings.string("root", "."));
      options =
          new RegistryBench.Options(
              settings.path("registry-jar", root.resolve("registry-service/target/meshwork-registry.jar")),
              settings.integer("instances", 10_000, 1, 30_000),
              settings.integer("renew-rate", 2_000, 1, 100_000),
              settings.integer("watchers", 100, 1, 10_000),
              settings.duration("duration", Duration.ofSeconds(30), Duration.ofSeconds(1), Duration.ofHours(1)),
              settings.integer("probes", 200, 1, 10_000),
              List.of(settings.string("jvm-options", "-Xmx256m").split(" ")));
      settings.rejectUnknownFlags();
    } catch (ConfigException | IllegalArgumentException e) {
      System.err.println("bench: " + e.getMessage());
      System.exit(2);
      return;
    }
    System.exit(new RegistryBench(options, System.out).run() ? 0 : 1);
  }
}
