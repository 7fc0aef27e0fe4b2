package dev.meshwork.cli.workflows;

import dev.meshwork.api.orchestrator.v1.GetWorkflowRequest;
import dev.meshwork.api.orchestrator.v1.WorkflowSpec;
import dev.meshwork.cli.MeshctlException;
import dev.meshwork.cli.output.DocumentFormat;
import dev.meshwork.cli.output.ProtoJson;
import dev.meshwork.cli.remote.ConnectionOptions;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code meshctl workflow get <name>}: prints a stored workflow, ready to edit and put again. */
@Command(
    name = "get",
    description = "Print a stored workflow (latest version unless --version), as YAML or JSON.")
final class WorkflowGetCommand implements Callable<Integer> {

  @Spec private CommandSpec spec;

  @Mixin private ConnectionOptions connection;

  @Parameters(index = "0", paramLabel = "<name>", description = "The workflow's name.")
  private String name;

  /**
   * Declared here because {@code --version} (below) displaces the inherited {@code -h, --help, -V,
   * --version} standard options on this command.
   */
  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help and exit.")
  private boolean help;

  @Option(
      names = "--version",
      paramLabel = "N",
      defaultValue = "0",
      description = "The version to print (default: the latest).")
  private int version;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      defaultValue = "yaml",
      description = "yaml or json (default: ${DEFAULT-VALUE}).")
  private DocumentFormat format;

  @Override
  public Integer call() {
    if (version < 0) {
      throw MeshctlException.usage("--version: " + version + " (expected: >= 1)");
    }
    GetWorkflowRequest request =
        GetWorkflowRequest.newBuilder().setName(name).setVersion(version).build();
    WorkflowSpec workflow =
        connection.callOrchestrator(stub -> stub.getWorkflow(request)).getWorkflow();
    PrintWriter out = spec.commandLine().getOut();
    if (format == DocumentFormat.JSON) {
      out.println(ProtoJson.json(workflow));
    } else {
      out.print(ProtoJson.yaml(workflow));
    }
    out.flush();
    return 0;
  }
}
