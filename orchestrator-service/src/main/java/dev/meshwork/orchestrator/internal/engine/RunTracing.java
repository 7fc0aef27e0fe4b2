package dev.meshwork.orchestrator.internal.engine;

import static java.util.Objects.requireNonNull;

import dev.failsafe.CircuitBreaker;
import dev.meshwork.api.orchestrator.v1.Run;
import dev.meshwork.api.orchestrator.v1.RunState;
import dev.meshwork.api.orchestrator.v1.StepError;
import dev.meshwork.observability.MeshAttributes;
import dev.meshwork.observability.MeshLogging;
import dev.meshwork.observability.MeshTelemetry;
import dev.meshwork.orchestrator.AgentResult;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanId;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceId;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The spans of one run execution: {@code run <workflow>}, under it one {@code step <id>} per step
 * (and {@code compensate <id>} per compensation), under each of those one {@code attempt <n>
 * <skill>} per call (a CLIENT span: the agent calls record no gRPC client span of their own), and
 * under the attempt the agent's server span, because the attempt's context is current while the
 * invoker starts the call and travels in its headers. Every context also carries the
 * run id as baggage ({@link MeshLogging}), so log lines of the engine and of the agents name the
 * run. Step and run ends are counted in {@link EngineMetrics} here too, so the metrics and the
 * spans cannot disagree.
 */
final class RunTracing {

  private static final AttributeKey<Long> ITEM = AttributeKey.longKey("meshwork.step.item");
  private static final AttributeKey<Boolean> RESUMED =
      AttributeKey.booleanKey("meshwork.run.resumed");
  private static final AttributeKey<String> ERROR_CODE =
      AttributeKey.stringKey("meshwork.error.code");
  private static final AttributeKey<String> ERROR_REASON =
      AttributeKey.stringKey("meshwork.error.reason");

  /** An open step or compensation span. */
  private record StepSpan(Span span, Context context, String skill, long startNanos) {}

  private final String runId;
  private final Tracer tracer;
  private final EngineMetrics metrics;
  private final Span runSpan;
  private final Context runContext;
  private final Map<String, StepSpan> steps = new ConcurrentHashMap<>();

  private RunTracing(
      String runId, Tracer tracer, EngineMetrics metrics, Span runSpan, Context ctx) {
    this.runId = runId;
    this.tracer = tracer;
    this.metrics = metrics;
    this.runSpan = runSpan;
    this.runContext = MeshLogging.withRunId(ctx.with(runSpan), runId);
  }

  /**
   * Starts the span of a new run as a child of the current context (the StartRun server span), so
   * the caller's trace continues into the run.
   */
  static RunTracing start(Run run, EngineMetrics metrics) {
    // Only the span and the baggage: the rest of the current context belongs to the StartRun
    // call (gRPC keeps its cancellable Context in it), and the run outlives that call.
    Context current = Context.current();
    Context parent =
        Context.root().with(Span.fromContext(current)).with(Baggage.fromContext(current));
    return open(run, metrics, parent, false);
  }

  /**
   * A new span for a run resumed after a restart or re-driven by RetryRun. The first span ended (or
   * died with the process), but the stored trace id is what users follow, so the new span continues
   * that trace as a child of the first run span (a remote parent built from the stored ids). Runs
   * stored before span ids were kept get a parent span id made up from the trace id, which Jaeger
   * shows as a second root of the same trace.
   */
  static RunTracing resume(Run run, EngineMetrics metrics) {
    Context parent = Context.root();
    String traceId = run.getTraceId();
    if (TraceId.isValid(traceId)) {
      String spanId = run.getRunSpanId();
      if (!SpanId.isValid(spanId)) {
        spanId = traceId.substring(16);
        if (spanId.equals("0000000000000000")) {
          spanId = "0000000000000001";
        }
      }
      parent =
          parent.with(
              Span.wrap(
                  SpanContext.createFromRemoteParent(
                      traceId, spanId, TraceFlags.getSampled(), TraceState.getDefault())));
    }
    return open(run, metrics, parent, true);
  }

  private static RunTracing open(Run run, EngineMetrics metrics, Context parent, boolean resumed) {
    requireNonNull(run, "run");
    requireNonNull(metrics, "metrics");
    Tracer tracer = MeshTelemetry.tracer();
    Span span =
        tracer
            .spanBuilder("run " + run.getWorkflow().getName())
            .setParent(parent)
            .setSpanKind(SpanKind.INTERNAL)
            .setAttribute(MeshAttributes.RUN_ID, run.getRunId())
            .setAttribute(RESUMED, resumed)
            .startSpan();
    return new RunTracing(run.getRunId(), tracer, metrics, span, parent);
  }

  /** The run span's id in hex, or empty when tracing is off. */
  String spanId() {
    SpanContext context = runSpan.getSpanContext();
    return context.isValid() ? context.getSpanId() : "";
  }

  /** The run's trace id in hex, or empty when tracing is off. */
  String traceId() {
    SpanContext context = runSpan.getSpanContext();
    return context.isValid() ? context.getTraceId() : "";
  }

  /**
   * The run span's context with the run id as baggage; make it current while working on the run.
   */
  Context context() {
    return runContext;
  }

  /** Opens the span of a step, unless it is open already (a fallback reuses it). */
  void stepStarted(String stepId, String skill) {
    open("step:" + stepId, "step " + stepId, stepId, skill);
  }

  /** Opens the span of a step's compensation. */
  void compensationStarted(String stepId, String skill) {
    open("compensate:" + stepId, "compensate " + stepId, stepId, skill);
  }

  private void open(String key, String name, String stepId, String skill) {
    steps.computeIfAbsent(
        key,
        k -> {
          Span span =
              tracer
                  .spanBuilder(name)
                  .setParent(runContext)
                  .setAttribute(MeshAttributes.RUN_ID, runId)
                  .setAttribute(MeshAttributes.STEP_ID, stepId)
                  .setAttribute(MeshAttributes.SKILL, skill)
                  .startSpan();
          return new StepSpan(span, runContext.with(span), skill, System.nanoTime());
        });
  }

  /**
   * Starts the span of one attempt under its step (or compensation) span; the run span stands in
   * when the step span is missing.
   */
  Attempt attemptStarted(StepKey key, boolean compensation, String skill, int attempt) {
    StepSpan step = steps.get((compensation ? "compensate:" : "step:") + key.stepId());
    Context parent = step == null ? runContext : step.context();
    var builder =
        tracer
            .spanBuilder("attempt " + attempt + " " + skill)
            .setParent(parent)
            .setSpanKind(SpanKind.CLIENT)
            .setAttribute(MeshAttributes.RUN_ID, runId)
            .setAttribute(MeshAttributes.STEP_ID, key.stepId())
            .setAttribute(MeshAttributes.SKILL, skill)
            .setAttribute(MeshAttributes.ATTEMPT, (long) attempt);
    if (!key.isWhole()) {
      builder.setAttribute(ITEM, (long) key.item());
    }
    Span span = builder.startSpan();
    return new Attempt(span, parent.with(span), attempt);
  }

  /**
   * Ends a step's span with its outcome ({@code COMPLETED}, {@code FAILED}, {@code CANCELED}) and
   * counts it; {@code breaker} is the skill's breaker state when it rejected the call.
   */
  void stepEnded(
      String stepId, String skill, String outcome, StepError error, CircuitBreaker.State breaker) {
    StepSpan step = steps.remove("step:" + stepId);
    if (step == null) {
      // Failed before it was launched (a bad condition): counted, but there is no span to end.
      metrics.stepEnded(skill, outcome, null);
      return;
    }
    finish(step.span(), outcome, error, breaker);
    metrics.stepEnded(
        step.skill(), outcome, Duration.ofNanos(System.nanoTime() - step.startNanos()));
  }

  /** Counts a step that never ran (a false condition or a dependency that did not complete). */
  void stepSkipped(String skill) {
    metrics.stepEnded(skill, "SKIPPED", null);
  }

  /** Ends a compensation's span. */
  void compensationEnded(String stepId, StepError error) {
    StepSpan step = steps.remove("compensate:" + stepId);
    if (step != null) {
      finish(step.span(), error == null ? "COMPENSATED" : "FAILED", error, null);
    }
  }

  /** Ends the run span (and any span still open) with the run's terminal state, and counts it. */
  void runEnded(RunState state, StepError error) {
    String outcome = state.name().replace("RUN_STATE_", "");
    for (String key : Map.copyOf(steps).keySet()) {
      StepSpan step = steps.remove(key);
      if (step != null) {
        finish(step.span(), "CANCELED", null, null);
      }
    }
    finish(runSpan, outcome, state == RunState.RUN_STATE_FAILED ? error : null, null);
    metrics.runEnded(outcome);
  }

  /**
   * Ends every open span of a run that stops without a terminal state (its events could not be
   * stored; it resumes on the next start, under a new span).
   */
  void suspended(String why) {
    for (String key : Map.copyOf(steps).keySet()) {
      StepSpan step = steps.remove(key);
      if (step != null) {
        step.span().setAttribute(MeshAttributes.OUTCOME, "SUSPENDED");
        step.span().end();
      }
    }
    runSpan.setAttribute(MeshAttributes.OUTCOME, "SUSPENDED");
    runSpan.setStatus(StatusCode.ERROR, why);
    runSpan.end();
  }

  /** Ends the span of a run that was not stored after all (a concurrent StartRun took the key). */
  void abandoned() {
    runSpan.setAttribute(MeshAttributes.OUTCOME, "DUPLICATE");
    runSpan.end();
  }

  private static void finish(
      Span span, String outcome, StepError error, CircuitBreaker.State breaker) {
    span.setAttribute(MeshAttributes.OUTCOME, outcome);
    if (breaker != null) {
      span.setAttribute(MeshAttributes.BREAKER_STATE, breaker.name());
    }
    if (error != null) {
      span.setAttribute(ERROR_CODE, error.getCode());
      span.setAttribute(ERROR_REASON, error.getReason());
      span.setStatus(StatusCode.ERROR, error.getReason() + ": " + error.getMessage());
    }
    span.end();
  }

  /** The span of one attempt; its context is current while the invoker starts the call. */
  static final class Attempt {
    private final Span span;
    private final Context context;
    private final int number;

    private Attempt(Span span, Context context, int number) {
      this.span = span;
      this.context = context;
      this.number = number;
    }

    Context context() {
      return context;
    }

    /** Ends the span with the call's outcome: the serving instance, or the recorded error. */
    void ended(AgentResult result, Throwable failure) {
      if (failure == null) {
        if (result != null && !result.agentInstance().isEmpty()) {
          span.setAttribute(MeshAttributes.AGENT_INSTANCE, result.agentInstance());
        }
        span.end();
        return;
      }
      Throwable cause = StepErrors.unwrap(failure);
      StepError error = StepErrors.toStepError(cause, number);
      span.setAttribute(ERROR_CODE, error.getCode());
      span.setAttribute(ERROR_REASON, error.getReason());
      // A cancelled attempt was cut short by its timeout or by the run ending; either way it
      // produced nothing, which is what ERROR means on an attempt.
      String description =
          cause instanceof CancellationException
              ? "cancelled (attempt timeout or run ended)"
              : error.getReason() + ": " + error.getMessage();
      span.recordException(cause);
      span.setStatus(StatusCode.ERROR, description);
      span.end();
    }
  }
}
