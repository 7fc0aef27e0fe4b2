package dev.meshwork.cli.workflows;

import dev.meshwork.api.orchestrator.v1.ListWorkflowsRequest;
import dev.meshwork.api.orchestrator.v1.ListWorkflowsResponse;
import dev.meshwork.api.orchestrator.v1.Step;
import dev.meshwork.api.orchestrator.v1.WorkflowSpec;
import dev.meshwork.cli.output.Table;
import dev.meshwork.cli.output.TableOrJson;
import dev.meshwork.cli.remote.ConnectionOptions;
import dev.meshwork.cli.remote.MeshClient;
import dev.meshwork.cli.remote.Pages;
import dev.meshwork.cli.remote.Pages.Page;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code meshctl workflow list}: the stored workflows (latest version of each), every page. */
@Command(name = "list", description = "List the stored workflows, latest version of each.")
final class WorkflowListCommand implements Callable<Integer> {

  private static final int PAGE_SIZE = 200;

  @Mixin private ConnectionOptions connection;

  @Mixin private TableOrJson output;

  @Override
  public Integer call() {
    List<WorkflowSpec> workflows;
    try (MeshClient client = connection.connect()) {
      workflows = Pages.all(PAGE_SIZE, (token, size) -> page(client, token, size));
    }
    output.printList(
        ListWorkflowsResponse.newBuilder().addAllWorkflows(workflows),
        workflows,
        "no stored workflows",
        () -> table(workflows));
    return 0;
  }

  private static Page<WorkflowSpec> page(MeshClient client, String token, int size) {
    ListWorkflowsRequest request =
        ListWorkflowsRequest.newBuilder().setPageSize(size).setPageToken(token).build();
    ListWorkflowsResponse response = client.orchestrator(stub -> stub.listWorkflows(request));
    return new Page<>(response.getWorkflowsList(), response.getNextPageToken());
  }

  private static Table table(List<WorkflowSpec> workflows) {
    Table table = new Table("NAME", "VERSION", "STEPS", "SKILLS", "DESCRIPTION");
    for (WorkflowSpec workflow : workflows) {
      table.row(
          workflow.getName(),
          Integer.toString(workflow.getVersion()),
          Integer.toString(workflow.getStepsCount()),
          skills(workflow),
          workflow.getDescription());
    }
    return table;
  }

  private static String skills(WorkflowSpec workflow) {
    Set<String> skills = new LinkedHashSet<>();
    for (Step step : workflow.getStepsList()) {
      skills.add(step.getSkill());
    }
    return String.join(",", skills);
  }
}
