package dev.meshwork.cli;

import picocli.CommandLine.ExitCode;

/**
 * An error a meshctl command reports to its user: meshctl prints {@code meshctl: <message>} (no
 * stack trace) and exits with {@link #exitCode()}.
 */
public final class MeshctlException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int exitCode;

  private MeshctlException(String message, int exitCode, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  /** A bad argument or missing precondition the user can fix: exit code 2. */
  public static MeshctlException usage(String message) {
    return new MeshctlException(message, ExitCode.USAGE, null);
  }

  /** A bad argument or missing precondition the user can fix, with its cause: exit code 2. */
  public static MeshctlException usage(String message, Throwable cause) {
    return new MeshctlException(message, ExitCode.USAGE, cause);
  }

  /** The command could not do its job: exit code 1. */
  public static MeshctlException failure(String message, Throwable cause) {
    return new MeshctlException(message, ExitCode.SOFTWARE, cause);
  }

  /** The process exit code. */
  public int exitCode() {
    return exitCode;
  }
}
