package dev.meshwork.cli.workflows;

import picocli.CommandLine.Command;

/** {@code meshctl workflow}: stored, versioned workflow definitions. */
@Command(
    name = "workflow",
    description = {
      "Store and show workflow definitions (versioned; runs start them by name).",
      "Files are YAML in the proto JSON mapping of meshwork.orchestrator.v1.WorkflowSpec."
    },
    subcommands = {WorkflowPutCommand.class, WorkflowGetCommand.class, WorkflowListCommand.class})
public final class WorkflowCommand {}
