package dev.meshwork.orchestrator.internal.engine;

import dev.meshwork.api.orchestrator.v1.Run;
import dev.meshwork.api.orchestrator.v1.StepRun;
import dev.meshwork.api.orchestrator.v1.StepState;
import dev.meshwork.orchestrator.internal.expr.Scope;
import dev.meshwork.orchestrator.internal.expr.Values;
import dev.meshwork.orchestrator.internal.workflow.WorkflowGraph;

/**
 * What expressions of a run can read: the run input and the outputs of completed steps. The output
 * of a for_each step is always a list (one element per item), even with one item.
 */
final class RunScope implements Scope {

  private static final Object NO_ITEM = new Object();

  private final Run.Builder run;
  private final WorkflowGraph graph;
  private final Object item;

  private RunScope(Run.Builder run, WorkflowGraph graph, Object item) {
    this.run = run;
    this.graph = graph;
    this.item = item;
  }

  static RunScope of(Run.Builder run, WorkflowGraph graph) {
    return new RunScope(run, graph, NO_ITEM);
  }

  static RunScope withItem(Run.Builder run, WorkflowGraph graph, Object item) {
    return new RunScope(run, graph, item);
  }

  @Override
  public Object input() {
    return Values.fromStruct(run.getInput());
  }

  @Override
  public boolean hasOutput(String stepId) {
    return completed(stepId) != null;
  }

  @Override
  public Object stepOutput(String stepId) {
    StepRun step = completed(stepId);
    if (step == null) {
      return null;
    }
    boolean fanIn = graph.contains(stepId) && !graph.step(stepId).getForEach().isEmpty();
    return fanIn
        ? Values.listOfParts(step.getOutputList())
        : Values.fromParts(step.getOutputList());
  }

  @Override
  public boolean hasItem() {
    return item != NO_ITEM;
  }

  @Override
  public Object item() {
    return item == NO_ITEM ? null : item;
  }

  private StepRun completed(String stepId) {
    int index = RunProjection.indexOf(run, stepId, StepKey.WHOLE);
    if (index < 0) {
      return null;
    }
    StepRun step = run.getSteps(index);
    StepState state = step.getState();
    return state == StepState.STEP_STATE_COMPLETED || state == StepState.STEP_STATE_COMPENSATED
        ? step
        : null;
  }
}
