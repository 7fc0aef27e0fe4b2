package dev.meshwork.cli.workflows;

import dev.meshwork.api.orchestrator.v1.PutWorkflowRequest;
import dev.meshwork.api.orchestrator.v1.WorkflowSpec;
import dev.meshwork.cli.remote.ConnectionOptions;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code meshctl workflow put <file.yaml>}: stores a new version of a workflow. */
@Command(
    name = "put",
    description = "Store a workflow from a YAML file as its next version; prints the version.")
final class WorkflowPutCommand implements Callable<Integer> {

  @Spec private CommandSpec spec;

  @Mixin private ConnectionOptions connection;

  @Parameters(index = "0", paramLabel = "<file.yaml>", description = "The workflow definition.")
  private Path file;

  @Override
  public Integer call() {
    WorkflowSpec workflow = WorkflowFiles.read(file);
    PutWorkflowRequest request = PutWorkflowRequest.newBuilder().setWorkflow(workflow).build();
    WorkflowSpec stored =
        connection.callOrchestrator(stub -> stub.putWorkflow(request)).getWorkflow();
    PrintWriter out = spec.commandLine().getOut();
    out.println(
        "workflow "
            + stored.getName()
            + " version "
            + stored.getVersion()
            + " stored ("
            + stored.getStepsCount()
            + (stored.getStepsCount() == 1 ? " step)" : " steps)"));
    out.flush();
    return 0;
  }
}
