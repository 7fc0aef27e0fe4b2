package dev.meshwork.cli.agents;

import dev.meshwork.api.registry.v1.AgentInstance;
import dev.meshwork.api.registry.v1.WatchAgentInstancesResponse;
import dev.meshwork.cli.MeshctlException;
import dev.meshwork.cli.remote.ConnectionOptions;
import dev.meshwork.cli.remote.MeshClient;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code meshctl agents watch}: the matching instances, then every change as it happens. Survives
 * dropped streams (resumes from the last revision; re-snapshots when that is too old).
 */
@Command(
    name = "watch",
    description = {
      "Show the matching agent instances, then every change live, one line each:",
      "  + ADDED, ~ UPDATED, - REMOVED (DEREGISTERED|EXPIRED|FILTERED_OUT).",
      "Resumes by itself after a dropped stream. Ctrl-C stops."
    })
final class AgentsWatchCommand implements Callable<Integer> {

  @Spec private CommandSpec spec;

  @Mixin private ConnectionOptions connection;

  @Mixin private InstanceFilterOptions filterOptions;

  @Option(
      names = "--from-revision",
      paramLabel = "N",
      defaultValue = "0",
      description = "Replay the changes after registry revision N instead of a snapshot.")
  private long fromRevision;

  @Option(
      names = "--count",
      paramLabel = "N",
      defaultValue = "0",
      description = "Stop after N change events (default: never).")
  private int count;

  @Override
  public Integer call() throws InterruptedException {
    if (fromRevision < 0) {
      throw MeshctlException.usage("--from-revision: " + fromRevision + " (expected: >= 0)");
    }
    if (count < 0) {
      throw MeshctlException.usage("--count: " + count + " (expected: >= 0)");
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try (MeshClient client = connection.connect()) {
      new InstanceWatch(client, filterOptions.filter(), fromRevision).run(new Printer(out, err));
    }
    return 0;
  }

  /** Prints what the watch reports: data on stdout, notes on stderr. */
  private final class Printer implements InstanceWatch.Listener {

    private final PrintWriter out;
    private final PrintWriter err;
    private int events;

    Printer(PrintWriter out, PrintWriter err) {
      this.out = out;
      this.err = err;
    }

    @Override
    public void snapshot(List<AgentInstance> instances, long revision) {
      if (instances.isEmpty()) {
        out.println(filterOptions.any() ? "no agent instances match" : "no agent instances");
      } else {
        InstanceView.table(instances, Instant.now()).print(out);
      }
      out.flush();
      note("-- revision " + revision + "; watching for changes (Ctrl-C to stop)");
    }

    @Override
    public void caughtUp(long revision) {
      note("-- caught up at revision " + revision + "; watching for changes (Ctrl-C to stop)");
    }

    @Override
    public boolean event(WatchAgentInstancesResponse event) {
      out.println(WatchEventLine.format(event, Instant.now()));
      out.flush();
      events++;
      return count == 0 || events < count;
    }

    @Override
    public void interrupted(String why, long revision) {
      note(
          "-- watch interrupted ("
              + why
              + "); resuming "
              + (revision == 0 ? "with a new snapshot" : "from revision " + revision));
    }

    @Override
    public void compacted(long revision) {
      note("-- the registry no longer holds revision " + revision + "; taking a new snapshot");
    }

    private void note(String line) {
      err.println(line);
      err.flush();
    }
  }
}
