package dev.meshwork.cli.runs;

import dev.meshwork.api.orchestrator.v1.CancelRunRequest;
import dev.meshwork.api.orchestrator.v1.Run;
import dev.meshwork.cli.remote.ConnectionOptions;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code meshctl run cancel <id>}: cancels a run (in-flight calls too; compensations run). */
@Command(
    name = "cancel",
    description = "Cancel a run: in-flight agent calls are cancelled and compensations run.")
final class RunCancelCommand implements Callable<Integer> {

  @Spec private CommandSpec spec;

  @Mixin private ConnectionOptions connection;

  @Parameters(index = "0", paramLabel = "<run-id>", description = "The run.")
  private String runId;

  @Option(names = "--reason", paramLabel = "TEXT", description = "Why; kept in the run's events.")
  private String reason = "";

  @Override
  public Integer call() {
    CancelRunRequest request =
        CancelRunRequest.newBuilder().setRunId(runId).setReason(reason).build();
    Run run = connection.callOrchestrator(stub -> stub.cancelRun(request)).getRun();
    PrintWriter out = spec.commandLine().getOut();
    if (RunStates.isTerminal(run.getState())) {
      out.println(RunReport.summary(run));
    } else {
      out.println(
          "run "
              + run.getRunId()
              + " cancel requested (now "
              + RunStates.name(run.getState())
              + "; follow it with: meshctl run watch "
              + run.getRunId()
              + ")");
    }
    out.flush();
    return 0;
  }
}
