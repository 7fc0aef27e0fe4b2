package dev.meshwork.cli.runs;

import dev.meshwork.api.orchestrator.v1.GetRunRequest;
import dev.meshwork.api.orchestrator.v1.Run;
import dev.meshwork.cli.CliEnvironment;
import dev.meshwork.cli.output.ProtoJson;
import dev.meshwork.cli.output.TableOrJson;
import dev.meshwork.cli.remote.ConnectionOptions;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code meshctl run get <id>}: a run's state, steps, result and trace. */
@Command(
    name = "get",
    description = {
      "Show a run: state, each step (state, attempts, agent instance, duration, error), the",
      "result, and the trace (with a link to Jaeger: $MESHWORK_JAEGER_URL, default "
          + JaegerLinks.DEFAULT_URL
          + ")."
    })
final class RunGetCommand implements Callable<Integer> {

  private final CliEnvironment environment;

  @Spec private CommandSpec spec;

  @Mixin private ConnectionOptions connection;

  @Parameters(index = "0", paramLabel = "<run-id>", description = "The run.")
  private String runId;

  @Mixin private TableOrJson output;

  RunGetCommand(CliEnvironment environment) {
    this.environment = environment;
  }

  @Override
  public Integer call() {
    GetRunRequest request = GetRunRequest.newBuilder().setRunId(runId).build();
    Run run = connection.callOrchestrator(stub -> stub.getRun(request)).getRun();
    PrintWriter out = spec.commandLine().getOut();
    if (output.json()) {
      out.println(ProtoJson.json(run));
      out.flush();
    } else {
      new RunReport(environment).full(run, out);
    }
    return 0;
  }
}
