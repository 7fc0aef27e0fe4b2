package dev.meshwork.cli.agents;

import picocli.CommandLine.Command;

/** {@code meshctl agents}: the agent instances registered with the registry. */
@Command(
    name = "agents",
    description = "Show the agent instances registered with the registry, once or live.",
    subcommands = {AgentsListCommand.class, AgentsWatchCommand.class})
public final class AgentsCommand {}
