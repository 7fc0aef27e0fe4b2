package dev.meshwork.cli.runs;

import dev.meshwork.api.orchestrator.v1.ListRunsRequest;
import dev.meshwork.api.orchestrator.v1.ListRunsResponse;
import dev.meshwork.api.orchestrator.v1.Run;
import dev.meshwork.api.orchestrator.v1.RunState;
import dev.meshwork.api.orchestrator.v1.StepRun;
import dev.meshwork.cli.MeshctlException;
import dev.meshwork.cli.output.HumanFormat;
import dev.meshwork.cli.output.ListFormat;
import dev.meshwork.cli.output.ProtoEnums;
import dev.meshwork.cli.output.ProtoJson;
import dev.meshwork.cli.output.Table;
import dev.meshwork.cli.remote.ConnectionOptions;
import dev.meshwork.cli.remote.MeshClient;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code meshctl run list}: recent runs, newest first, filtered by state, workflow, labels. */
@Command(name = "list", description = "List runs, newest first.")
final class RunListCommand implements Callable<Integer> {

  private static final int MAX_PAGE = 1000;

  @Spec private CommandSpec spec;

  @Mixin private ConnectionOptions connection;

  @Option(
      names = "--state",
      paramLabel = "STATE",
      description =
          "Only runs in this state (SUBMITTED, WORKING, INPUT_REQUIRED, COMPLETED, FAILED,"
              + " CANCELED, REJECTED); repeat for several.")
  private List<String> states = new ArrayList<>();

  @Option(names = "--workflow", paramLabel = "NAME", description = "Only runs of this workflow.")
  private String workflow;

  @Option(
      names = "--label",
      paramLabel = "KEY=VALUE",
      description = "Only runs with this label; repeat to require several.")
  private Map<String, String> labels = new LinkedHashMap<>();

  @Option(
      names = "--limit",
      paramLabel = "N",
      defaultValue = "50",
      description = "At most N runs (default: ${DEFAULT-VALUE}).")
  private int limit;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      defaultValue = "table",
      description = "table or json (default: ${DEFAULT-VALUE}).")
  private ListFormat format;

  @Override
  public Integer call() {
    if (limit < 1) {
      throw MeshctlException.usage("--limit: " + limit + " (expected: >= 1)");
    }
    ListRunsRequest.Builder request = ListRunsRequest.newBuilder().putAllLabels(labels);
    for (String state : states) {
      request.addStates(ProtoEnums.parse(RunState.class, "RUN_STATE_", state, "--state"));
    }
    if (workflow != null) {
      request.setWorkflowName(workflow);
    }
    List<Run> runs = new ArrayList<>();
    try (MeshClient client = connection.connect()) {
      Set<String> seenTokens = new HashSet<>();
      String token = "";
      do {
        ListRunsRequest page =
            request
                .setPageSize(Math.min(MAX_PAGE, limit - runs.size()))
                .setPageToken(token)
                .build();
        ListRunsResponse response = client.orchestrator(stub -> stub.listRuns(page));
        runs.addAll(response.getRunsList());
        token = response.getNextPageToken();
      } while (runs.size() < limit && !token.isEmpty() && seenTokens.add(token));
    }
    if (runs.size() > limit) {
      runs = runs.subList(0, limit);
    }
    PrintWriter out = spec.commandLine().getOut();
    if (format == ListFormat.JSON) {
      out.println(ProtoJson.json(ListRunsResponse.newBuilder().addAllRuns(runs)));
    } else if (runs.isEmpty()) {
      PrintWriter err = spec.commandLine().getErr();
      err.println("no runs");
      err.flush();
    } else {
      table(runs).print(out);
    }
    out.flush();
    return 0;
  }

  private static Table table(List<Run> runs) {
    Table table = new Table("RUN", "WORKFLOW", "STATE", "STEPS", "CREATED", "DURATION");
    for (Run run : runs) {
      table.row(
          run.getRunId(),
          run.getWorkflow().getName().isEmpty() ? "(inline)" : run.getWorkflow().getName(),
          RunStates.name(run.getState()),
          steps(run),
          HumanFormat.time(run.getCreateTime()),
          HumanFormat.between(run.getCreateTime(), run.getEndTime()));
    }
    return table;
  }

  /** {@code finished/total} steps. */
  private static String steps(Run run) {
    long finished =
        run.getStepsList().stream()
            .filter(
                s -> !StepKey.of(run.getWorkflow(), s.getStepId(), s.getItemIndex()).isElement())
            .map(StepRun::getState)
            .filter(RunStates::isFinished)
            .count();
    int total = run.getWorkflow().getStepsCount();
    return finished + "/" + (total == 0 ? "?" : Integer.toString(total));
  }
}
