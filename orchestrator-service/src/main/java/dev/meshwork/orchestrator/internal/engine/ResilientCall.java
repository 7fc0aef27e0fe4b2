package dev.meshwork.orchestrator.internal.engine;

import static java.util.Objects.requireNonNull;

import dev.failsafe.CircuitBreaker;
import dev.failsafe.Failsafe;
import dev.failsafe.RetryPolicy;
import dev.meshwork.api.common.v1.Part;
import dev.meshwork.api.orchestrator.v1.StepError;
import dev.meshwork.orchestrator.AgentCall;
import dev.meshwork.orchestrator.AgentInvoker;
import dev.meshwork.orchestrator.AgentResult;
import dev.meshwork.orchestrator.internal.workflow.RetrySettings;
import io.opentelemetry.context.Scope;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.DoubleSupplier;

/**
 * One logical skill call with its resilience: {@code CircuitBreaker(skill) -> RetryPolicy}, each
 * attempt with a timeout, run asynchronously by Failsafe (the per-skill bulkhead is taken by the
 * {@link Dispatcher} before this starts). The first attempt starts on the thread that calls {@link
 * #execute}, retries on the scheduler after their backoff ({@link DueNowScheduler}). Retries only
 * on the policy's retryable codes, with exponential backoff and jitter, and never past the
 * deadline: no attempt starts with less than the minimum budget left, and a backoff is shortened
 * rather than slept past it.
 */
final class ResilientCall {

  /** What the caller learns while the call runs. */
  interface Listener {
    /**
     * An attempt is about to start.
     *
     * @return the attempt's span, current while the invoker starts the call so that the agent
     *     call's client span (and the agent's server span) end up under it
     * @throws RuntimeException to refuse it (for example the run was cancelled meanwhile)
     */
    RunTracing.Attempt onAttemptStart(int attempt);

    /** An attempt failed and another follows after {@code delay}. */
    void onRetryScheduled(int attempt, StepError error, Duration delay);
  }

  /**
   * What to call and how.
   *
   * @param skill the skill
   * @param input the input parts
   * @param idempotencyKey stable key of the logical call
   * @param firstAttempt the number of the first attempt (later ones count on from it)
   * @param attemptTimeout timeout of one attempt
   * @param deadline no attempt starts or runs past it
   * @param retry the retry policy
   * @param waitForReady wait for an agent to appear (missing-skill policy WAIT)
   */
  record Spec(
      String skill,
      List<Part> input,
      String idempotencyKey,
      int firstAttempt,
      Duration attemptTimeout,
      Instant deadline,
      RetrySettings retry,
      boolean waitForReady) {

    Spec {
      requireNonNull(skill, "skill");
      input = List.copyOf(input);
      requireNonNull(idempotencyKey, "idempotencyKey");
      requireNonNull(attemptTimeout, "attemptTimeout");
      requireNonNull(deadline, "deadline");
      requireNonNull(retry, "retry");
    }
  }

  /** How much longer than an attempt's deadline the engine waits before giving up on it. */
  static final Duration BACKSTOP_GRACE = Duration.ofMillis(250);

  private final AgentInvoker invoker;
  private final CircuitBreaker<AgentResult> breaker;
  private final ScheduledExecutorService scheduler;
  private final DueNowScheduler dueNow;
  private final Clock clock;
  private final Duration minAttemptBudget;
  private final DoubleSupplier random;

  ResilientCall(
      AgentInvoker invoker,
      CircuitBreaker<AgentResult> breaker,
      ScheduledExecutorService scheduler,
      Clock clock,
      Duration minAttemptBudget,
      DoubleSupplier random) {
    this.invoker = requireNonNull(invoker, "invoker");
    this.breaker = requireNonNull(breaker, "breaker");
    this.scheduler = requireNonNull(scheduler, "scheduler");
    this.dueNow = new DueNowScheduler(scheduler);
    this.clock = requireNonNull(clock, "clock");
    this.minAttemptBudget = requireNonNull(minAttemptBudget, "minAttemptBudget");
    this.random = requireNonNull(random, "random");
  }

  /**
   * Runs the call. The future completes with the result, or with the last failure; cancelling it
   * cancels the attempt in flight. {@link Execution#attempts()} tells how many attempts started.
   * The first attempt starts before this returns (and may even have ended): call it holding no lock
   * that the listener takes.
   */
  Execution execute(Spec spec, Listener listener) {
    Execution execution = new Execution();
    RetrySettings retry = spec.retry();
    RetryPolicy<AgentResult> retryPolicy =
        RetryPolicy.<AgentResult>builder()
            .handleIf((r, failure) -> failure != null && isRetryable(failure, retry))
            .abortOn(
                RunBudgetExhaustedException.class, java.util.concurrent.CancellationException.class)
            .abortIf((r, failure) -> failure != null && !budgetAllowsRetry(spec, execution))
            .withMaxAttempts(retry.maxAttempts())
            .withDelayFn(ctx -> delay(spec, execution))
            .onRetryScheduled(
                e ->
                    listener.onRetryScheduled(
                        spec.firstAttempt() + execution.attempts.get() - 1,
                        StepErrors.toStepError(e.getLastException(), execution.attempts.get()),
                        e.getDelay()))
            .build();
    execution.future =
        Failsafe.with(breaker, retryPolicy)
            .with(dueNow)
            .getStageAsync(
                ctx -> {
                  Duration left = budgetLeft(spec);
                  if (left.compareTo(minAttemptBudget) < 0 || left.isZero()) {
                    throw new RunBudgetExhaustedException(
                        "the run's budget left ("
                            + left.toMillis()
                            + "ms) is below the minimum"
                            + " an attempt needs ("
                            + minAttemptBudget.toMillis()
                            + "ms)");
                  }
                  int attempt = spec.firstAttempt() + execution.attempts.getAndIncrement();
                  RunTracing.Attempt trace = listener.onAttemptStart(attempt);
                  Duration timeout = positive(min(spec.attemptTimeout(), left));
                  AgentCall call =
                      new AgentCall(
                          spec.skill(),
                          spec.input(),
                          timeout,
                          spec.idempotencyKey(),
                          attempt,
                          spec.waitForReady());
                  CompletableFuture<AgentResult> inFlight;
                  try (Scope ignored = trace.context().makeCurrent()) {
                    inFlight = invoker.invoke(call);
                  } catch (RuntimeException e) {
                    trace.ended(null, e);
                    throw e;
                  }
                  inFlight.whenComplete(trace::ended);
                  // Failsafe sees a copy: when it cancels the attempt (the run was cancelled) the
                  // call is cancelled, but the copy is not completed by that cancellation, which
                  // would race with Failsafe's own result. The backstop below completes the copy.
                  CompletableFuture<AgentResult> observed = new CompletableFuture<>();
                  AtomicBoolean cancelledByFailsafe = new AtomicBoolean();
                  ctx.onCancel(
                      () -> {
                        cancelledByFailsafe.set(true);
                        inFlight.cancel(true);
                      });
                  if (ctx.isCancelled()) {
                    // Cancelled while the call was being started: the callback came too late.
                    cancelledByFailsafe.set(true);
                    inFlight.cancel(true);
                  }
                  // The agent gets the timeout as its gRPC deadline; this is the backstop for an
                  // invoker that ignores it, so it fires a little later and the agent's own
                  // status wins. Not Failsafe's Timeout policy: that schedules on a global
                  // thread of its own and makes a CancellationException, stack trace and all,
                  // each time it is cancelled, which is after every attempt.
                  ScheduledFuture<?> backstop;
                  try {
                    backstop =
                        scheduler.schedule(
                            () -> {
                              if (observed.completeExceptionally(
                                  new AttemptTimeoutException(timeout))) {
                                inFlight.cancel(true);
                              }
                            },
                            timeout.plus(BACKSTOP_GRACE).toNanos(),
                            TimeUnit.NANOSECONDS);
                  } catch (RejectedExecutionException e) {
                    inFlight.cancel(true); // the engine is shutting down
                    throw e;
                  }
                  inFlight.whenComplete(
                      (result, failure) -> {
                        backstop.cancel(false);
                        if (cancelledByFailsafe.get()) {
                          return;
                        }
                        if (failure != null) {
                          observed.completeExceptionally(failure);
                        } else {
                          observed.complete(result);
                        }
                      });
                  return observed;
                });
    return execution;
  }

  /** A running call. */
  static final class Execution {
    private final AtomicInteger attempts = new AtomicInteger();
    private volatile CompletableFuture<AgentResult> future;

    /** Completes with the result or the last failure. */
    CompletableFuture<AgentResult> future() {
      return future;
    }

    /** Attempts started so far. */
    int attempts() {
      return attempts.get();
    }

    /** Cancels the attempt in flight and any retry. */
    void cancel() {
      future.cancel(true);
    }
  }

  private static boolean isRetryable(Throwable failure, RetrySettings retry) {
    Throwable t = StepErrors.unwrap(failure);
    if (t instanceof RunBudgetExhaustedException) {
      return false;
    }
    return retry.retryableCodes().contains(StepErrors.code(t));
  }

  /** False when even the shortest backoff would leave less than the minimum budget. */
  private boolean budgetAllowsRetry(Spec spec, Execution execution) {
    RetrySettings retry = spec.retry();
    Duration shortest =
        Duration.ofNanos(
            (long) (retry.baseDelay(execution.attempts.get()).toNanos() * (1 - retry.jitter())));
    return budgetLeft(spec).minus(shortest).compareTo(minAttemptBudget) >= 0;
  }

  private Duration delay(Spec spec, Execution execution) {
    Duration delay = spec.retry().delay(execution.attempts.get(), random.getAsDouble());
    Duration latest = budgetLeft(spec).minus(minAttemptBudget);
    if (latest.isNegative()) {
      return Duration.ZERO;
    }
    return min(delay, latest);
  }

  private Duration budgetLeft(Spec spec) {
    Duration left = Duration.between(clock.instant(), spec.deadline());
    return left.isNegative() ? Duration.ZERO : left;
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static Duration positive(Duration d) {
    return d.isZero() || d.isNegative() ? Duration.ofMillis(1) : d;
  }
}
