package dev.meshwork.agents.echo.internal;

import dev.meshwork.agent.MeshAgent;
import dev.meshwork.agent.Parts;
import dev.meshwork.agent.SkillContext;
import dev.meshwork.agent.SkillSpec;
import dev.meshwork.agent.SkillStream;
import dev.meshwork.api.common.v1.Part;
import dev.meshwork.core.MeshException;
import java.util.List;
import java.util.Map;

/**
 * The java-echo agent's skills, the profile the cross-language conformance suite checks in every
 * language: {@code java.echo} returns its input and rejects an empty one; {@code java.slow} works
 * step by step, streaming progress, and stops when the call is cancelled or its deadline passes.
 */
public final class EchoSkills {

  /** Returns its input unchanged. */
  public static final String ECHO = "java.echo";

  /** A slow streaming task. */
  public static final String SLOW = "java.slow";

  private EchoSkills() {}

  /** Adds the skills to an agent. */
  public static MeshAgent.Builder addTo(MeshAgent.Builder agent) {
    return agent
        .skill(
            SkillSpec.builder(ECHO)
                .name("Echo")
                .description("Returns its input unchanged.")
                .tags("sample")
                .inputModes("text/plain", "application/json")
                .outputModes("text/plain", "application/json")
                .examples("hello")
                .build(),
            (ctx, input) -> echo(input))
        .streamingSkill(
            SkillSpec.builder(SLOW)
                .name("Slow task")
                .description(
                    "Works for steps x delay_ms, streaming a progress update per step;"
                        + " stops as soon as the caller cancels or the deadline passes. Input:"
                        + " {\"steps\": 1.."
                        + SlowParams.MAX_STEPS
                        + ", \"delay_ms\": 0.."
                        + SlowParams.MAX_DELAY_MS
                        + "} or a text number of steps (default "
                        + SlowParams.DEFAULT.steps()
                        + " steps of "
                        + SlowParams.DEFAULT.delayMs()
                        + " ms).")
                .tags("sample", "streaming")
                .inputModes("application/json", "text/plain")
                .outputModes("application/json")
                .examples("{\"steps\": 5, \"delay_ms\": 100}")
                .build(),
            EchoSkills::slow);
  }

  static List<Part> echo(List<Part> input) {
    if (input.isEmpty()) {
      throw MeshException.invalidArgument("input", "[] (expected: at least one part)");
    }
    return input;
  }

  static List<Part> slow(SkillContext ctx, List<Part> input, SkillStream stream)
      throws InterruptedException {
    SlowParams params = SlowParams.parse(input);
    int steps = params.steps();
    for (int step = 1; step <= steps; step++) {
      // Served, the SDK interrupts the sleep when the call ends; the check also stops callers
      // that cannot interrupt us (a test context) at the next step.
      ctx.throwIfCancelled();
      Thread.sleep(params.delayMs());
      stream.progress(
          "step " + step + "/" + steps,
          (double) step / steps,
          Parts.data(Map.of("step", step)).getData());
    }
    return List.of(Parts.data(Map.of("steps", steps, "done", true)));
  }
}
