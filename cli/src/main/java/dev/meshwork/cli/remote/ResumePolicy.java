package dev.meshwork.cli.remote;

import static java.util.Objects.requireNonNull;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.Set;

/**
 * When a dropped watch stream is worth opening again, and how long to wait first. meshctl's watches
 * ({@code agents watch}, {@code run watch}) resume after transient failures with a backoff that
 * doubles from 200 ms up to 5 s, and starts over once the stream delivers again. One instance per
 * watch; not thread-safe.
 */
public final class ResumePolicy {

  /** The wait before the first attempt to resume. */
  public static final Duration FIRST_BACKOFF = Duration.ofMillis(200);

  /** The longest wait between attempts. */
  public static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

  /**
   * Codes after which watching again cannot help: the request or the caller is wrong, the server
   * does not serve it, or the position to resume from is gone. A watch that can recover from one of
   * them (OUT_OF_RANGE: start over from a snapshot) checks for it first.
   */
  private static final Set<Status.Code> FATAL =
      Set.of(
          Status.Code.INVALID_ARGUMENT,
          Status.Code.NOT_FOUND,
          Status.Code.PERMISSION_DENIED,
          Status.Code.UNAUTHENTICATED,
          Status.Code.FAILED_PRECONDITION,
          Status.Code.OUT_OF_RANGE,
          Status.Code.UNIMPLEMENTED);

  /** How the policy waits: {@link Thread#sleep} normally; tests record the waits instead. */
  @FunctionalInterface
  public interface Sleeper {

    /** Waits for {@code duration}. */
    void sleep(Duration duration) throws InterruptedException;
  }

  private final Sleeper sleeper;
  private Duration backoff = FIRST_BACKOFF;

  /** A policy that waits with {@link Thread#sleep}. */
  public ResumePolicy() {
    this(duration -> Thread.sleep(duration.toMillis()));
  }

  /** A policy that waits with {@code sleeper}. */
  public ResumePolicy(Sleeper sleeper) {
    this.sleeper = requireNonNull(sleeper, "sleeper");
  }

  /** Whether the watch should give up after {@code failure} rather than resume. */
  public static boolean isFatal(StatusRuntimeException failure) {
    return FATAL.contains(failure.getStatus().getCode());
  }

  /** The stream delivered again: the next failure waits {@link #FIRST_BACKOFF} once more. */
  public void reset() {
    backoff = FIRST_BACKOFF;
  }

  /** Waits before the next attempt, then doubles the wait, up to {@link #MAX_BACKOFF}. */
  public void pause() throws InterruptedException {
    sleeper.sleep(backoff);
    Duration doubled = backoff.multipliedBy(2);
    backoff = doubled.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : doubled;
  }
}
