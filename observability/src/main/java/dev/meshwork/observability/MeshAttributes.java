package dev.meshwork.observability;

import io.opentelemetry.api.common.AttributeKey;

/**
 * Span and metric attribute keys shared across Meshwork processes, so a run can be followed by the
 * same names in Jaeger and in metrics.
 */
public final class MeshAttributes {

  /** The workflow run id. */
  public static final AttributeKey<String> RUN_ID = AttributeKey.stringKey("meshwork.run.id");

  /** The step id within the workflow. */
  public static final AttributeKey<String> STEP_ID = AttributeKey.stringKey("meshwork.step.id");

  /** The skill a step invokes. */
  public static final AttributeKey<String> SKILL = AttributeKey.stringKey("meshwork.skill");

  /** The registry instance id of the agent that served an attempt. */
  public static final AttributeKey<String> AGENT_INSTANCE =
      AttributeKey.stringKey("meshwork.agent.instance");

  /** An agent's name (its card name), for example {@code text}. */
  public static final AttributeKey<String> AGENT_NAME =
      AttributeKey.stringKey("meshwork.agent.name");

  /** An agent instance's health as the registry knows it: SERVING, NOT_SERVING, DRAINING. */
  public static final AttributeKey<String> HEALTH = AttributeKey.stringKey("meshwork.health");

  /** The attempt number of a step, starting at 1. */
  public static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("meshwork.attempt");

  /** The circuit breaker state (CLOSED, OPEN, HALF_OPEN) when it decided a call. */
  public static final AttributeKey<String> BREAKER_STATE =
      AttributeKey.stringKey("meshwork.breaker.state");

  /** An outcome label on counters: for example COMPLETED, FAILED, CANCELED. */
  public static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("meshwork.outcome");

  private MeshAttributes() {}
}
