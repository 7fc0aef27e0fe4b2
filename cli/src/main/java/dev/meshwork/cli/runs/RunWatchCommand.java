package dev.meshwork.cli.runs;

import dev.meshwork.api.orchestrator.v1.GetRunRequest;
import dev.meshwork.api.orchestrator.v1.Run;
import dev.meshwork.api.orchestrator.v1.RunState;
import dev.meshwork.cli.CliEnvironment;
import dev.meshwork.cli.MeshctlException;
import dev.meshwork.cli.remote.ConnectionOptions;
import dev.meshwork.cli.remote.MeshClient;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code meshctl run watch <id>}: a run's events from the start (or after N) until it ends. */
@Command(
    name = "watch",
    description = {
      "Print a run's progress, event by event, until it ends; then its result.",
      "Resumes by itself after a dropped stream, without repeating events.",
      "Exits 0 when the run COMPLETED and 1 otherwise."
    })
final class RunWatchCommand implements Callable<Integer> {

  private final CliEnvironment environment;

  @Spec private CommandSpec spec;

  @Mixin private ConnectionOptions connection;

  @Parameters(index = "0", paramLabel = "<run-id>", description = "The run.")
  private String runId;

  @Option(
      names = "--after",
      paramLabel = "N",
      defaultValue = "0",
      description = "Start after event sequence N (default: from the first event).")
  private long after;

  RunWatchCommand(CliEnvironment environment) {
    this.environment = environment;
  }

  @Override
  public Integer call() throws InterruptedException {
    if (after < 0) {
      throw MeshctlException.usage("--after: " + after + " (expected: >= 0)");
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try (MeshClient client = connection.connect()) {
      GetRunRequest get = GetRunRequest.newBuilder().setRunId(runId).build();
      Run run = client.orchestrator(stub -> stub.getRun(get)).getRun();
      RunProgress progress = new RunProgress(run);
      out.println(progress.header());
      out.flush();
      new RunFollower(client, run, after).follow(new ProgressPrinter(progress, out, err, false));
      Run done = client.orchestrator(stub -> stub.getRun(get)).getRun();
      new RunReport(environment).result(done, out);
      return done.getState() == RunState.RUN_STATE_COMPLETED ? 0 : 1;
    }
  }
}
