package dev.meshwork.bench;

import dev.meshwork.agent.MeshAgent;
import dev.meshwork.agent.SkillSpec;
import dev.meshwork.core.Settings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The in-bench agent {@code agent/bench}: one skill, {@code bench.noop}, returning its input. */
final class BenchAgent {

  static final String SKILL = "bench.noop";

  private BenchAgent() {}

  /**
   * Starts the agent on any free port with mTLS from {@code certDir}, registered in {@code
   * registry} ({@code none}: not registered).
   */
  static MeshAgent startTls(String registry, Path certDir) {
    return start(
        List.of(
            "--registry", registry, "--cert-dir", certDir.toString(), "--identity", "agent/bench"));
  }

  /** Starts a plaintext, unregistered copy (the direct baseline of the hop scenario). */
  static MeshAgent startPlaintext() {
    return start(List.of("--registry", "none", "--insecure", "true"));
  }

  private static MeshAgent start(List<String> flags) {
    List<String> args = new ArrayList<>(flags);
    args.addAll(List.of("--port", "0", "--host", "127.0.0.1", "--drain-delay", "0s"));
    // No MESHWORK_* variables of the machine: the benchmark's settings are all in the flags.
    Settings settings = Settings.of(args.toArray(String[]::new), Map.of());
    return MeshAgent.builder()
        .name("bench")
        .version("1.0.0")
        .description("Benchmark agent: bench.noop returns its input.")
        .skill(SkillSpec.of(SKILL, "Returns its input unchanged"), (context, input) -> input)
        .settings(settings)
        .start();
  }
}
