package dev.meshwork.orchestrator;

import static java.util.Objects.requireNonNull;

import dev.meshwork.api.common.v1.Part;
import java.util.List;

/**
 * The answer of a successful skill call.
 *
 * @param output the skill's output parts
 * @param agentInstance which agent instance served the call (an address or instance id); may be
 *     empty when unknown
 */
public record AgentResult(List<Part> output, String agentInstance) {

  /** Validates the parts. */
  public AgentResult {
    output = List.copyOf(output);
    requireNonNull(agentInstance, "agentInstance");
  }

  /** A result with output from an unknown instance. */
  public static AgentResult of(List<Part> output) {
    return new AgentResult(output, "");
  }
}
