package dev.meshwork.cli;

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
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine commandLine = Meshctl.commandLine(new CliEnvironment(env));
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    int exitCode = commandLine.execute(args);
    return new MeshctlRun(exitCode, out.toString(), err.toString());
  }
}
