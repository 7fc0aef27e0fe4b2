package dev.meshwork.cli;

import static java.util.Objects.requireNonNull;

import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Turns errors into one {@code meshctl: <message>} line on stderr and an exit code: 2 for bad
 * arguments, the {@link MeshctlException}'s own code for reported errors, 1 for anything
 * unexpected. Stack traces are printed only when {@code MESHCTL_DEBUG=1}.
 */
final class ErrorHandlers implements IExecutionExceptionHandler, IParameterExceptionHandler {

  private final boolean debug;

  ErrorHandlers(CliEnvironment environment) {
    this.debug = requireNonNull(environment, "environment").debug();
  }

  @Override
  public int handleParseException(ParameterException ex, String[] args) {
    CommandLine command = ex.getCommandLine();
    PrintWriter err = command.getErr();
    err.println("meshctl: " + ex.getMessage());
    UnmatchedArgumentException.printSuggestions(ex, err);
    err.println("Try '" + command.getCommandSpec().qualifiedName() + " --help' for usage.");
    printTrace(ex, err);
    err.flush();
    return ExitCode.USAGE;
  }

  @Override
  public int handleExecutionException(Exception ex, CommandLine command, ParseResult parseResult) {
    PrintWriter err = command.getErr();
    err.println("meshctl: " + describe(ex));
    printTrace(ex, err);
    err.flush();
    return ex instanceof MeshctlException reported ? reported.exitCode() : ExitCode.SOFTWARE;
  }

  private void printTrace(Exception ex, PrintWriter err) {
    if (debug) {
      ex.printStackTrace(err);
    }
  }

  /** A one-line description; file system errors otherwise print only the bare path. */
  static String describe(Throwable error) {
    if (error instanceof NoSuchFileException e) {
      return "no such file: " + e.getFile();
    }
    if (error instanceof AccessDeniedException e) {
      return "permission denied: " + e.getFile();
    }
    if (error instanceof FileSystemException e && e.getReason() == null) {
      return error.getClass().getSimpleName() + ": " + e.getFile();
    }
    String message = error.getMessage();
    return message == null || message.isBlank() ? error.getClass().getSimpleName() : message;
  }
}
