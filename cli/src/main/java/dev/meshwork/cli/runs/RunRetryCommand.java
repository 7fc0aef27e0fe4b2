package dev.meshwork.cli.runs;

import dev.meshwork.api.orchestrator.v1.RetryRunRequest;
import dev.meshwork.api.orchestrator.v1.Run;
import dev.meshwork.cli.remote.ConnectionOptions;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code meshctl run retry <id>}: re-drives a failed run from its failed steps. */
@Command(
    name = "retry",
    description = "Re-drive a FAILED run from its failed steps; completed steps are not repeated.")
final class RunRetryCommand implements Callable<Integer> {

  @Spec private CommandSpec spec;

  @Mixin private ConnectionOptions connection;

  @Parameters(index = "0", paramLabel = "<run-id>", description = "The run.")
  private String runId;

  @Override
  public Integer call() {
    RetryRunRequest request = RetryRunRequest.newBuilder().setRunId(runId).build();
    Run run = connection.callOrchestrator(stub -> stub.retryRun(request)).getRun();
    PrintWriter out = spec.commandLine().getOut();
    out.println(
        "run "
            + run.getRunId()
            + " retried (now "
            + RunStates.name(run.getState())
            + "; follow it with: meshctl run watch "
            + run.getRunId()
            + " --after "
            + run.getLastSequence()
            + ")");
    out.flush();
    return 0;
  }
}
