package dev.meshwork.cli.runs;

import dev.meshwork.api.orchestrator.v1.ListRunsRequest;
import dev.meshwork.api.orchestrator.v1.ListRunsResponse;
import dev.meshwork.api.orchestrator.v1.Run;
import dev.meshwork.api.orchestrator.v1.RunState;
import dev.meshwork.api.orchestrator.v1.StepRun;
import dev.meshwork.cli.MeshctlException;
import dev.meshwork.cli.output.HumanFormat;
import dev.meshwork.cli.output.ProtoEnums;
import dev.meshwork.cli.output.Table;
import dev.meshwork.cli.output.TableOrJson;
import dev.meshwork.cli.remote.ConnectionOptions;
import dev.meshwork.cli.remote.MeshClient;
import dev.meshwork.cli.remote.Pages;
import dev.meshwork.cli.remote.Pages.Page;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code meshctl run list}: recent runs, newest first, filtered by state, workflow, labels. */
@Command(name = "list", description = "List runs, newest first.")
final class RunListCommand implements Callable<Integer> {

  private static final int MAX_PAGE = 1000;

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

  @Mixin private TableOrJson output;

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
    List<Run> runs;
    try (MeshClient client = connection.connect()) {
      runs =
          Pages.upTo(
              limit,
              MAX_PAGE,
              (token, size) -> {
                ListRunsRequest page = request.setPageSize(size).setPageToken(token).build();
                ListRunsResponse response = client.orchestrator(stub -> stub.listRuns(page));
                return new Page<>(response.getRunsList(), response.getNextPageToken());
              });
    }
    output.printList(
        ListRunsResponse.newBuilder().addAllRuns(runs), runs, "no runs", () -> table(runs));
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
