package dev.meshwork.cli.workflows;

import dev.meshwork.api.orchestrator.v1.ListWorkflowsRequest;
import dev.meshwork.api.orchestrator.v1.ListWorkflowsResponse;
import dev.meshwork.api.orchestrator.v1.Step;
import dev.meshwork.api.orchestrator.v1.WorkflowSpec;
import dev.meshwork.cli.output.ListFormat;
import dev.meshwork.cli.output.ProtoJson;
import dev.meshwork.cli.output.Table;
import dev.meshwork.cli.remote.ConnectionOptions;
import dev.meshwork.cli.remote.MeshClient;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code meshctl workflow list}: the stored workflows (latest version of each), every page. */
@Command(name = "list", description = "List the stored workflows, latest version of each.")
final class WorkflowListCommand implements Callable<Integer> {

  private static final int PAGE_SIZE = 200;

  @Spec private CommandSpec spec;

  @Mixin private ConnectionOptions connection;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      defaultValue = "table",
      description = "table or json (default: ${DEFAULT-VALUE}).")
  private ListFormat format;

  @Override
  public Integer call() {
    List<WorkflowSpec> workflows = new ArrayList<>();
    try (MeshClient client = connection.connect()) {
      Set<String> seenTokens = new HashSet<>();
      String token = "";
      do {
        ListWorkflowsRequest request =
            ListWorkflowsRequest.newBuilder().setPageSize(PAGE_SIZE).setPageToken(token).build();
        ListWorkflowsResponse page = client.orchestrator(stub -> stub.listWorkflows(request));
        workflows.addAll(page.getWorkflowsList());
        token = page.getNextPageToken();
      } while (!token.isEmpty() && seenTokens.add(token));
    }
    PrintWriter out = spec.commandLine().getOut();
    if (format == ListFormat.JSON) {
      out.println(ProtoJson.json(ListWorkflowsResponse.newBuilder().addAllWorkflows(workflows)));
    } else if (workflows.isEmpty()) {
      PrintWriter err = spec.commandLine().getErr();
      err.println("no stored workflows");
      err.flush();
    } else {
      Table table = new Table("NAME", "VERSION", "STEPS", "SKILLS", "DESCRIPTION");
      for (WorkflowSpec workflow : workflows) {
        table.row(
            workflow.getName(),
            Integer.toString(workflow.getVersion()),
            Integer.toString(workflow.getStepsCount()),
            skills(workflow),
            workflow.getDescription());
      }
      table.print(out);
    }
    out.flush();
    return 0;
  }

  private static String skills(WorkflowSpec workflow) {
    Set<String> skills = new LinkedHashSet<>();
    for (Step step : workflow.getStepsList()) {
      skills.add(step.getSkill());
    }
    return String.join(",", skills);
  }
}
