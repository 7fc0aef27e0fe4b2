package dev.meshwork.bench;

import dev.meshwork.core.ConfigException;
import dev.meshwork.core.Settings;
import java.time.Duration;

/**
 * Runs a benchmark scenario and prints its report (see {@code bench/README.md}):
 *
 * <pre>
 * java -jar bench/target/meshwork-bench.jar registry [--instances 10000] [--renew-rate 2000]
 *     [--watchers 100] [--duration 30s] [--probes 200]
 * java -jar bench/target/meshwork-bench.jar orchestrator [--clients 64] [--duration 20s]
 *     [--warmup 5s]
 * java -jar bench/target/meshwork-bench.jar engine [--clients 32] [--duration 20s] [--warmup 5s]
 * java -jar bench/target/meshwork-bench.jar hop [--rate 1000] [--duration 10s] [--ghz auto]
 * java -jar bench/target/meshwork-bench.jar gateway [--rate 50] [--read-rate 1000]
 *     [--duration 20s] [--warmup 5s] [--http-version 2]
 * </pre>
 *
 * <p>Every scenario also takes {@code --root}, {@code --jvm-options} and {@code --tracing}. Exit
 * code 0 when every goal is met, 1 when one is missed, 2 for bad arguments.
 */
public final class BenchMain {

  private static final String USAGE =
      "usage: meshwork-bench registry|orchestrator|engine|hop|gateway|tracing [--flags] (see"
          + " bench/README.md)";

  private BenchMain() {}

  /** Entry point. */
  public static void main(String[] args) throws Exception {
    String scenario = args.length == 0 ? "" : args[0];
    String parallelism = "java.util.concurrent.ForkJoinPool.common.parallelism";
    if (scenario.equals("gateway") && System.getProperty(parallelism) == null) {
      // Before anything starts the common pool: below a parallelism of 2 (a 2-core machine)
      // CompletableFuture runs each async stage on a new thread, and java.net.http completes
      // every sendAsync that way: a thread started per HTTP response, on the client's side.
      System.setProperty(parallelism, "2");
    }
    Scenario run;
    try {
      BenchArgs flags = BenchArgs.of(args);
      flags.root(); // every scenario takes --root (./mesh bench passes it), starting jars or not
      run =
          switch (scenario) {
            case "registry" -> registry(flags);
            case "orchestrator" ->
                new OrchestratorBench(OrchestratorBench.Options.from(flags), System.out)::run;
            case "hop" -> new HopBench(HopBench.Options.from(flags), System.out)::run;
            case "engine" -> new EngineBench(EngineBench.Options.from(flags), System.out)::run;
            case "gateway" -> new GatewayBench(GatewayBench.Options.from(flags), System.out)::run;
            case "tracing" -> new TracingBench(TracingBench.Options.from(flags), System.out)::run;
            default -> throw new IllegalArgumentException("unknown scenario '" + scenario + "'");
          };
      if (!flags.tracing()) {
        System.setProperty("otel.sdk.disabled", "true");
      }
      flags.done();
    } catch (ConfigException | IllegalArgumentException e) {
      System.err.println("bench: " + e.getMessage());
      System.err.println(USAGE);
      System.exit(2);
      return;
    }
    System.exit(run.run() ? 0 : 1);
  }

  private static Scenario registry(BenchArgs flags) {
    Settings s = flags.settings();
    RegistryBench.Options options =
        new RegistryBench.Options(
            flags.jar("registry-jar", "registry-service/target/meshwork-registry.jar"),
            s.integer("instances", 10_000, 1, 30_000),
            s.integer("renew-rate", 2_000, 1, 100_000),
            s.integer("watchers", 100, 1, 10_000),
            flags.duration(Duration.ofSeconds(30)),
            s.integer("probes", 200, 1, 10_000),
            flags.jvmOptions("-Xmx256m"));
    return new RegistryBench(options, System.out)::run;
  }

  /** A scenario ready to run; true when every goal is met. */
  private interface Scenario {
    boolean run() throws Exception;
  }
}
