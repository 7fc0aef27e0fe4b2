package dev.meshwork.orchestrator;

import static java.util.Objects.requireNonNull;

import dev.meshwork.api.orchestrator.v1.Run;
import dev.meshwork.api.orchestrator.v1.RunState;
import java.util.Map;
import java.util.Set;

/**
 * Which runs to list or watch; empty parts match everything.
 *
 * @param states runs in one of these states
 * @param workflowName runs of this workflow
 * @param labels runs whose labels contain all these pairs
 */
public record RunFilter(Set<RunState> states, String workflowName, Map<String, String> labels) {

  /** Matches every run. */
  public static final RunFilter ALL = new RunFilter(Set.of(), "", Map.of());

  /** Validates and copies the parts. */
  public RunFilter {
    states = Set.copyOf(states);
    requireNonNull(workflowName, "workflowName");
    labels = Map.copyOf(labels);
  }

  /** True when {@code run} matches. */
  public boolean matches(Run run) {
    return (states.isEmpty() || states.contains(run.getState()))
        && (workflowName.isEmpty() || workflowName.equals(run.getWorkflow().getName()))
        && run.getLabelsMap().entrySet().containsAll(labels.entrySet());
  }
}
