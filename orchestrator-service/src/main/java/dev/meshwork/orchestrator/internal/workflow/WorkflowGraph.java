package dev.meshwork.orchestrator.internal.workflow;

import static java.util.Objects.requireNonNull;

import dev.meshwork.api.orchestrator.v1.Step;
import dev.meshwork.api.orchestrator.v1.WorkflowSpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The dependency structure of a workflow: steps by id, their dependants and their transitive
 * dependencies. Tolerates unknown ids and cycles (the validator reports those); the engine only
 * builds graphs of validated workflows.
 */
public final class WorkflowGraph {

  private final Map<String, Step> steps = new LinkedHashMap<>();
  private final Map<String, Integer> indexes = new LinkedHashMap<>();
  private final Map<String, List<String>> dependants = new LinkedHashMap<>();
  private final Map<String, Set<String>> ancestors = new LinkedHashMap<>();

  /** Indexes {@code spec}; for duplicate ids the first step wins. */
  public WorkflowGraph(WorkflowSpec spec) {
    requireNonNull(spec, "spec");
    for (int i = 0; i < spec.getStepsCount(); i++) {
      Step step = spec.getSteps(i);
      if (steps.putIfAbsent(step.getId(), step) == null) {
        indexes.put(step.getId(), i);
        dependants.put(step.getId(), new ArrayList<>());
      }
    }
    for (Step step : steps.values()) {
      for (String dep : step.getDependsOnList()) {
        List<String> list = dependants.get(dep);
        if (list != null && !list.contains(step.getId())) {
          list.add(step.getId());
        }
      }
    }
  }

  /** The step with {@code id}, or null. */
  public Step step(String id) {
    return steps.get(id);
  }

  /** True when a step has {@code id}. */
  public boolean contains(String id) {
    return steps.containsKey(id);
  }

  /** The index of step {@code id} in the spec. */
  public int index(String id) {
    return indexes.get(id);
  }

  /** Every step, in spec order. */
  public List<Step> steps() {
    return List.copyOf(steps.values());
  }

  /** The steps that depend directly on {@code id}. */
  public List<String> dependants(String id) {
    return Collections.unmodifiableList(dependants.getOrDefault(id, List.of()));
  }

  /** Every step {@code id} depends on, directly or transitively (never itself unless cyclic). */
  public Set<String> ancestors(String id) {
    Set<String> cached = ancestors.get(id);
    if (cached != null) {
      return cached;
    }
    Set<String> result = new HashSet<>();
    List<String> stack = new ArrayList<>(deps(id));
    while (!stack.isEmpty()) {
      String next = stack.remove(stack.size() - 1);
      if (steps.containsKey(next) && result.add(next)) {
        stack.addAll(deps(next));
      }
    }
    Set<String> frozen = Set.copyOf(result);
    ancestors.put(id, frozen);
    return frozen;
  }

  private List<String> deps(String id) {
    Step step = steps.get(id);
    return step == null ? List.of() : step.getDependsOnList();
  }

  /**
   * The cycles of the graph, each as the list of step ids along it with the first repeated at the
   * end ({@code [a, b, a]} means a depends on b, which depends on a). Each cycle is reported once,
   * found from its first step in spec order.
   */
  public List<List<String>> cycles() {
    List<List<String>> cycles = new ArrayList<>();
    Map<String, Integer> color = new LinkedHashMap<>(); // absent white, 1 gray, 2 black
    for (String id : steps.keySet()) {
      if (!color.containsKey(id)) {
        findCycles(id, new ArrayList<>(), color, cycles);
      }
    }
    return cycles;
  }

  private void findCycles(
      String id, List<String> path, Map<String, Integer> color, List<List<String>> cycles) {
    color.put(id, 1);
    path.add(id);
    for (String dep : deps(id)) {
      if (!steps.containsKey(dep)) {
        continue;
      }
      Integer c = color.get(dep);
      if (c == null) {
        findCycles(dep, path, color, cycles);
      } else if (c == 1) {
        List<String> cycle = new ArrayList<>(path.subList(path.indexOf(dep), path.size()));
        cycle.add(dep);
        cycles.add(List.copyOf(cycle));
      }
    }
    path.remove(path.size() - 1);
    color.put(id, 2);
  }
}
