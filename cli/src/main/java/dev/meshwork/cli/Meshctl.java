package dev.meshwork.cli;

import dev.meshwork.cli.agents.AgentsCommand;
import dev.meshwork.cli.certs.CertsCommand;
import dev.meshwork.cli.remote.ChannelFactory;
import dev.meshwork.cli.remote.MeshChannelFactory;
import dev.meshwork.cli.runs.RunCommand;
import dev.meshwork.cli.telemetry.CliTelemetry;
import dev.meshwork.cli.telemetry.TracedExecution;
import dev.meshwork.cli.workflows.WorkflowCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.ScopeType;

/**
 * {@code meshctl}, the Meshwork command line. This class only registers the command groups; each
 * group is its own class (for example {@link CertsCommand}) with its subcommands beside it.
 *
 * <p>To add a group: write a picocli {@code @Command} class (in its own package, e.g. {@code
 * dev.meshwork.cli.runs}) and list it in {@code subcommands} below. A command class that needs the
 * environment declares a constructor taking a {@link CliEnvironment}. A command that calls the mesh
 * mixes in {@link dev.meshwork.cli.remote.ConnectionOptions} ({@code @Mixin}) and calls its {@code
 * connect()}. Write output to {@code spec.commandLine().getOut()}; report user errors by throwing
 * {@link MeshctlException} (printed as {@code meshctl: <message>}, no stack trace).
 */
@Command(
    name = "meshctl",
    description = "The Meshwork command line.",
    mixinStandardHelpOptions = true,
    scope = ScopeType.INHERIT,
    versionProvider = Meshctl.Version.class,
    subcommands = {
      HelpCommand.class,
      CertsCommand.class,
      AgentsCommand.class,
      WorkflowCommand.class,
      RunCommand.class
    })
public final class Meshctl {

  private Meshctl() {}

  /**
   * Runs meshctl and exits with its exit code; with telemetry on ({@link CliTelemetry}) the
   * command's spans are flushed first.
   */
  public static void main(String[] args) {
    CliEnvironment environment = CliEnvironment.system();
    CommandLine commandLine = commandLine(environment);
    int exitCode;
    try (CliTelemetry telemetry = CliTelemetry.start(environment, commandLine.getErr())) {
      exitCode = commandLine.execute(args);
    }
    System.exit(exitCode);
  }

  /**
   * The configured command line: commands get {@code environment}, errors are printed as one {@code
   * meshctl: <message>} line with exit code 2 (usage) or 1 (failure), and each command runs in its
   * own span ({@link TracedExecution}).
   */
  public static CommandLine commandLine(CliEnvironment environment) {
    return commandLine(environment, new MeshChannelFactory());
  }

  /**
   * The configured command line whose remote commands open their channels with {@code channels}
   * (tests pass in-process channels).
   */
  public static CommandLine commandLine(CliEnvironment environment, ChannelFactory channels) {
    ErrorHandlers errors = new ErrorHandlers(environment);
    return new CommandLine(new Meshctl(), new MeshctlFactory(environment, channels))
        .setCaseInsensitiveEnumValuesAllowed(true)
        .setExecutionStrategy(new TracedExecution(new CommandLine.RunLast()))
        .setParameterExceptionHandler(errors)
        .setExecutionExceptionHandler(errors);
  }

  /** The version from the jar manifest, when there is one. */
  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = Meshctl.class.getPackage().getImplementationVersion();
      return new String[] {"meshctl " + (version == null ? "(development build)" : version)};
    }
  }
}
