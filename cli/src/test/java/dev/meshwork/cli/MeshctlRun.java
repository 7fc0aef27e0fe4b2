package dev.meshwork.cli;

import dev.meshwork.cli.remote.ChannelFactory;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import picocli.CommandLine;

/**
 * Runs meshctl in-process with a given environment and captures its output.
 *
 * @param exitCode the exit code
 * @param out what it printed to stdout
 * @param err what it printed to stderr
 */
public record MeshctlRun(int exitCode, String out, String err) {

  /** Runs {@code meshctl args...} with the environment variables {@code env}. */
  public static MeshctlRun run(Map<String, String> env, String... args) {
    return run(Meshctl.commandLine(new CliEnvironment(env)), args);
  }

  /**
   * Runs {@code meshctl args...} with the environment variables {@code env}, its remote commands
   * opening their channels with {@code channels}.
   */
  public static MeshctlRun run(Map<String, String> env, ChannelFactory channels, String... args) {
    return run(Meshctl.commandLine(new CliEnvironment(env), channels), args);
  }

  private static MeshctlRun run(CommandLine commandLine, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    int exitCode = commandLine.execute(args);
    return new MeshctlRun(exitCode, out.toString(), err.toString());
  }
}
