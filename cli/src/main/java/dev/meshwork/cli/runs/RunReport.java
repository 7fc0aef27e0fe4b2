package dev.meshwork.cli.runs;

import static java.util.Objects.requireNonNull;

import dev.meshwork.api.orchestrator.v1.Run;
import dev.meshwork.api.orchestrator.v1.Step;
import dev.meshwork.api.orchestrator.v1.StepRun;
import dev.meshwork.api.orchestrator.v1.StepState;
import dev.meshwork.api.orchestrator.v1.WorkflowSpec;
import dev.meshwork.cli.CliEnvironment;
import dev.meshwork.cli.output.HumanFormat;
import dev.meshwork.cli.output.Parts;
import dev.meshwork.cli.output.Table;
import java.io.PrintWriter;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** A run for people: its summary, its steps as a table, its result and where its trace is. */
final class RunReport {

  private final CliEnvironment environment;

  RunReport(CliEnvironment environment) {
    this.environment = requireNonNull(environment, "environment");
  }

  /** Everything {@code run get} shows. */
  void full(Run run, PrintWriter out) {
    WorkflowSpec workflow = run.getWorkflow();
    field(out, "run", run.getRunId());
    field(
        out,
        "workflow",
        (workflow.getName().isEmpty() ? "(inline)" : workflow.getName())
            + (workflow.getVersion() > 0 ? " v" + workflow.getVersion() : ""));
    field(out, "state", RunStates.name(run.getState()));
    field(out, "created", HumanFormat.time(run.getCreateTime()));
    if (HumanFormat.isSet(run.getEndTime())) {
      field(
          out,
          "ended",
          HumanFormat.time(run.getEndTime())
              + " ("
              + HumanFormat.between(run.getCreateTime(), run.getEndTime())
              + ")");
    } else if (HumanFormat.isSet(run.getDeadline())) {
      field(out, "deadline", HumanFormat.time(run.getDeadline()));
    }
    if (!run.getLabelsMap().isEmpty()) {
      field(out, "labels", labels(run.getLabelsMap()));
    }
    if (!run.getIdempotencyKey().isEmpty()) {
      field(out, "idem key", run.getIdempotencyKey());
    }
    String error = RunStates.describe(run.getError());
    if (!error.isEmpty()) {
      field(out, "error", error);
    }
    trace(run, out);
    out.println();
    if (run.getStepsCount() == 0) {
      out.println("no steps started yet");
    } else {
      steps(run).print(out);
    }
    output(run, out);
    out.flush();
  }

  /** {@code run r-1 COMPLETED in 1.2 s}, with the error of a failed run. */
  static String summary(Run run) {
    String took = HumanFormat.between(run.getCreateTime(), run.getEndTime());
    String error = RunStates.describe(run.getError());
    return "run "
        + run.getRunId()
        + " "
        + RunStates.name(run.getState())
        + (took.isEmpty() ? "" : " in " + took)
        + (error.isEmpty() ? "" : ": " + error);
  }

  /** What follows a followed run's last progress line: its outputs and its trace. */
  void result(Run run, PrintWriter out) {
    output(run, out);
    trace(run, out);
    out.flush();
  }

  /** {@code trace id:} and {@code trace: <Jaeger URL>}, when the run has a trace. */
  void trace(Run run, PrintWriter out) {
    if (!run.getTraceId().isEmpty()) {
      field(out, "trace id", run.getTraceId());
      field(out, "trace", JaegerLinks.trace(environment, run.getTraceId()));
    }
  }

  private static Table steps(Run run) {
    Table table = new Table("STEP", "STATE", "ATTEMPT", "AGENT", "DURATION", "ERROR");
    for (StepRun step : run.getStepsList()) {
      table.row(
          StepKey.of(run.getWorkflow(), step.getStepId(), step.getItemIndex()).toString(),
          RunStates.name(step.getState()),
          Integer.toString(step.getAttempt()),
          step.getAgentInstance(),
          HumanFormat.between(step.getStartTime(), step.getEndTime()),
          RunStates.describe(step.getError()));
    }
    return table;
  }

  /** The outputs of the completed steps nothing depends on: the run's result. */
  private static void output(Run run, PrintWriter out) {
    for (StepRun step : sinks(run)) {
      out.println("output (" + step.getStepId() + "):");
      for (String line : Parts.render(step.getOutputList()).split("\n", -1)) {
        out.println("  " + line);
      }
    }
  }

  private static List<StepRun> sinks(Run run) {
    Set<String> dependedOn = new HashSet<>();
    for (Step step : run.getWorkflow().getStepsList()) {
      dependedOn.addAll(step.getDependsOnList());
    }
    return run.getStepsList().stream()
        .filter(step -> step.getState() == StepState.STEP_STATE_COMPLETED)
        .filter(
            step ->
                !StepKey.of(run.getWorkflow(), step.getStepId(), step.getItemIndex()).isElement())
        .filter(step -> !dependedOn.contains(step.getStepId()))
        .filter(step -> step.getOutputCount() > 0)
        .toList();
  }

  private static String labels(Map<String, String> labels) {
    StringBuilder text = new StringBuilder();
    new TreeMap<>(labels)
        .forEach(
            (k, v) -> text.append(text.length() == 0 ? "" : ",").append(k).append('=').append(v));
    return text.toString();
  }

  private static void field(PrintWriter out, String name, String value) {
    out.println(name + ": " + value);
  }
}
