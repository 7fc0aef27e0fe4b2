package dev.meshwork.agent.internal;

import static java.util.Objects.requireNonNull;

import dev.meshwork.agent.MeshClient;
import dev.meshwork.agent.SkillContext;
import dev.meshwork.core.ErrorCode;
import dev.meshwork.core.MeshException;
import dev.meshwork.core.MeshIdentity;
import io.grpc.Context;
import io.grpc.Deadline;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** The {@link SkillContext} of one gRPC call, read from the call's {@link Context}. */
public final class CallSkillContext implements SkillContext {

  private final String skillId;
  private final Map<String, String> metadata;
  private final String idempotencyKey;
  private final Optional<MeshIdentity> caller;
  private final Context callContext;
  private final MeshClient mesh;

  /** The context of the call running in {@code callContext}. */
  public CallSkillContext(
      String skillId,
      Map<String, String> metadata,
      String idempotencyKey,
      Optional<MeshIdentity> caller,
      Context callContext,
      MeshClient mesh) {
    this.skillId = requireNonNull(skillId, "skillId");
    this.metadata = Map.copyOf(metadata);
    this.idempotencyKey = requireNonNull(idempotencyKey, "idempotencyKey");
    this.caller = requireNonNull(caller, "caller");
    this.callContext = requireNonNull(callContext, "callContext");
    this.mesh = mesh;
  }

  @Override
  public String skillId() {
    return skillId;
  }

  @Override
  public Map<String, String> metadata() {
    return metadata;
  }

  @Override
  public String idempotencyKey() {
    return idempotencyKey;
  }

  @Override
  public Optional<MeshIdentity> caller() {
    return caller;
  }

  @Override
  public Optional<Instant> deadline() {
    return timeRemaining().map(left -> Instant.now().plus(left));
  }

  @Override
  public Optional<Duration> timeRemaining() {
    Deadline deadline = callContext.getDeadline();
    if (deadline == null) {
      return Optional.empty();
    }
    return Optional.of(Duration.ofNanos(deadline.timeRemaining(TimeUnit.NANOSECONDS)));
  }

  @Override
  public boolean isCancelled() {
    return callContext.isCancelled();
  }

  @Override
  public void throwIfCancelled() {
    if (callContext.isCancelled()) {
      throw cancellation();
    }
  }

  @Override
  public MeshClient mesh() {
    if (mesh == null) {
      throw new IllegalStateException("this agent has no mesh client (no registry configured)");
    }
    return mesh;
  }

  /** The failure describing why the call is over: its deadline passed, or the caller left. */
  public MeshException cancellation() {
    Deadline deadline = callContext.getDeadline();
    return cancellation(skillId, deadline != null && deadline.isExpired());
  }

  /**
   * The failure of a call of {@code skillId} that is over: DEADLINE_EXCEEDED when its deadline
   * passed, else CANCELLED. Shared with {@code TestSkillContext}, so that handlers see the same
   * codes in unit tests as when served.
   */
  public static MeshException cancellation(String skillId, boolean deadlinePassed) {
    if (deadlinePassed) {
      return MeshException.of(
          ErrorCode.DEADLINE_EXCEEDED,
          "DEADLINE_EXCEEDED",
          "skill '" + skillId + "' did not finish before the caller's deadline");
    }
    return MeshException.of(
        ErrorCode.CANCELLED, "CANCELLED", "skill '" + skillId + "' call cancelled by the caller");
  }
}
