package dev.meshwork.cli.runs;

import dev.meshwork.api.orchestrator.v1.GetRunRequest;
import dev.meshwork.api.orchestrator.v1.Run;
import dev.meshwork.api.orchestrator.v1.RunState;
import dev.meshwork.api.orchestrator.v1.StartRunRequest;
import dev.meshwork.api.orchestrator.v1.StartRunResponse;
import dev.meshwork.cli.CliEnvironment;
import dev.meshwork.cli.DurationConverter;
import dev.meshwork.cli.remote.ConnectionOptions;
import dev.meshwork.cli.remote.MeshClient;
import dev.meshwork.cli.workflows.WorkflowFiles;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code meshctl run start}: starts a run of a stored or inline workflow and prints its id; with
 * {@code --watch} follows it step by step, with {@code --wait} just until it ends.
 */
@Command(
    name = "start",
    description = {
      "Start a run of a stored workflow (--workflow) or of a workflow file (--file).",
      "Prints the run id. --watch prints each step as it progresses, then the result;",
      "--wait prints only the result. Both exit 0 when the run COMPLETED, else 1."
    })
final class RunStartCommand implements Callable<Integer> {

  private final CliEnvironment environment;

  @Spec private CommandSpec spec;

  @Mixin private ConnectionOptions connection;

  @ArgGroup(exclusive = true, multiplicity = "1")
  private Source source;

  @ArgGroup(exclusive = true, multiplicity = "0..1")
  private Input input;

  @ArgGroup(exclusive = true, multiplicity = "0..1")
  private Follow follow;

  @Option(
      names = "--idempotency-key",
      paramLabel = "KEY",
      description = "Start at most one run per key: a used key returns the existing run.")
  private String idempotencyKey;

  @Option(
      names = "--run-timeout",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description =
          "Budget of the whole run, e.g. 60s, 5m (default: the workflow's timeout, else the"
              + " orchestrator's). --timeout is the deadline of each call, as everywhere.")
  private Duration runTimeout;

  @Option(
      names = "--priority",
      paramLabel = "N",
      defaultValue = "0",
      description = "Scheduling priority, -100..100; higher runs first (default: 0).")
  private int priority;

  @Option(
      names = "--label",
      paramLabel = "KEY=VALUE",
      description = "A label for the run; repeat for several.")
  private Map<String, String> labels = new LinkedHashMap<>();

  RunStartCommand(CliEnvironment environment) {
    this.environment = environment;
  }

  /** Which workflow to run. */
  static final class Source {
    @Option(names = "--workflow", paramLabel = "NAME", description = "A stored workflow.")
    String name;

    @Option(
        names = {"-f", "--file"},
        paramLabel = "FILE",
        description = "A workflow YAML file, run inline (not stored).")
    Path file;
  }

  /** The run input. */
  static final class Input {
    @Option(
        names = "--input",
        paramLabel = "JSON",
        description = "The run input, a JSON object, e.g. '{\"url\": \"https://example.com\"}'.")
    String json;

    @Option(
        names = "--input-file",
        paramLabel = "FILE",
        description = "A file holding the run input (a JSON or YAML object).")
    Path file;
  }

  /** Whether and how to follow the run. */
  static final class Follow {
    @Option(names = "--wait", description = "Wait until the run ends; print its result.")
    boolean await;

    @Option(
        names = "--watch",
        description = "Print each step's progress until the run ends, then its result.")
    boolean watch;
  }

  @Override
  public Integer call() throws InterruptedException {
    StartRunRequest request = request();
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try (MeshClient client = connection.connect()) {
      StartRunResponse response = client.orchestrator(stub -> stub.startRun(request));
      Run run = response.getRun();
      if (response.getExisting()) {
        err.println(
            "run "
                + run.getRunId()
                + " already exists for idempotency key '"
                + idempotencyKey
                + "' ("
                + RunStates.name(run.getState())
                + ")");
        err.flush();
      }
      if (follow == null) {
        out.println(run.getRunId());
        out.flush();
        return 0;
      }
      RunProgress progress = new RunProgress(run);
      if (follow.watch) {
        out.println(progress.header());
      } else {
        out.println(run.getRunId());
      }
      out.flush();
      new RunFollower(client, run, 0)
          .follow(new ProgressPrinter(progress, out, err, !follow.watch));
      GetRunRequest get = GetRunRequest.newBuilder().setRunId(run.getRunId()).build();
      Run done = client.orchestrator(stub -> stub.getRun(get)).getRun();
      RunReport report = new RunReport(environment);
      if (!follow.watch) {
        out.println(RunReport.summary(done));
      }
      report.result(done, out);
      return done.getState() == RunState.RUN_STATE_COMPLETED ? 0 : 1;
    }
  }

  private StartRunRequest request() {
    StartRunRequest.Builder request =
        StartRunRequest.newBuilder().setPriority(priority).putAllLabels(labels);
    if (source.file != null) {
      request.setWorkflow(WorkflowFiles.read(source.file));
    } else {
      request.setWorkflowName(source.name);
    }
    if (input != null) {
      request.setInput(
          input.json != null ? RunInput.inline(input.json) : RunInput.file(input.file));
    }
    if (idempotencyKey != null) {
      request.setIdempotencyKey(idempotencyKey);
    }
    if (runTimeout != null) {
      request.setTimeout(
          com.google.protobuf.Duration.newBuilder()
              .setSeconds(runTimeout.getSeconds())
              .setNanos(runTimeout.getNano()));
    }
    return request.build();
  }
}
