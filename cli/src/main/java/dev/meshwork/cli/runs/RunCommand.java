package dev.meshwork.cli.runs;

import picocli.CommandLine.Command;

/** {@code meshctl run}: start, follow and manage workflow runs. */
@Command(
    name = "run",
    description = "Start workflow runs, follow them live, inspect, cancel and retry them.",
    subcommands = {
      RunStartCommand.class,
      RunGetCommand.class,
      RunWatchCommand.class,
      RunListCommand.class,
      RunCancelCommand.class,
      RunRetryCommand.class
    })
public final class RunCommand {}
