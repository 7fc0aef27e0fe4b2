package dev.meshwork.cli.runs;

import static java.util.Objects.requireNonNull;

import dev.meshwork.api.orchestrator.v1.RunEvent;
import java.io.PrintWriter;

/** Prints a followed run: progress lines on stdout (unless quiet), interruptions on stderr. */
final class ProgressPrinter implements RunFollower.Listener {

  private final RunProgress progress;
  private final PrintWriter out;
  private final PrintWriter err;
  private final boolean quiet;

  ProgressPrinter(RunProgress progress, PrintWriter out, PrintWriter err, boolean quiet) {
    this.progress = requireNonNull(progress, "progress");
    this.out = requireNonNull(out, "out");
    this.err = requireNonNull(err, "err");
    this.quiet = quiet;
  }

  @Override
  public void event(RunEvent event) {
    progress
        .line(event)
        .filter(line -> !quiet)
        .ifPresent(
            line -> {
              out.println(line);
              out.flush();
            });
  }

  @Override
  public void interrupted(String why, long sequence) {
    err.println("-- watch interrupted (" + why + "); resuming after event " + sequence);
    err.flush();
  }

  @Override
  public void resumed(long sequence) {
    err.println("-- watch resumed after event " + sequence);
    err.flush();
  }
}
