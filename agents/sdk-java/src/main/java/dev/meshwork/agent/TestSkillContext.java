package dev.meshwork.agent;

import static java.util.Objects.requireNonNull;

import dev.meshwork.agent.internal.CallSkillContext;
import dev.meshwork.core.MeshIdentity;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * A {@link SkillContext} for unit tests of handlers, without a server: fixed skill id, metadata,
 * caller and deadline; cancellable by the test.
 *
 * <pre>{@code
 * List<Part> out =
 *     handler.handle(TestSkillContext.of("text.keywords"), List.of(Parts.text("...")));
 * }</pre>
 */
public final class TestSkillContext implements SkillContext {

  private final String skillId;
  private final Map<String, String> metadata;
  private final MeshIdentity caller;
  private final Instant deadline;
  private final MeshClient mesh;
  private volatile boolean cancelled;

  private TestSkillContext(
      String skillId,
      Map<String, String> metadata,
      MeshIdentity caller,
      Instant deadline,
      MeshClient mesh) {
    this.skillId = requireNonNull(skillId, "skillId");
    this.metadata = Map.copyOf(metadata);
    this.caller = caller;
    this.deadline = deadline;
    this.mesh = mesh;
  }

  /** A context for {@code skillId}: no metadata, no caller, no deadline, no mesh client. */
  public static TestSkillContext of(String skillId) {
    return new TestSkillContext(skillId, Map.of(), null, null, null);
  }

  /** A copy with {@code metadata}. */
  public TestSkillContext withMetadata(Map<String, String> metadata) {
    return new TestSkillContext(skillId, metadata, caller, deadline, mesh);
  }

  /** A copy called by {@code caller}. */
  public TestSkillContext withCaller(MeshIdentity caller) {
    return new TestSkillContext(
        skillId, metadata, requireNonNull(caller, "caller"), deadline, mesh);
  }

  /** A copy whose deadline is {@code timeout} from now. */
  public TestSkillContext withTimeout(Duration timeout) {
    return new TestSkillContext(skillId, metadata, caller, Instant.now().plus(timeout), mesh);
  }

  /** A copy whose {@link #mesh()} is {@code mesh}. */
  public TestSkillContext withMesh(MeshClient mesh) {
    return new TestSkillContext(skillId, metadata, caller, deadline, requireNonNull(mesh, "mesh"));
  }

  /** Cancels the call, as a caller going away would. */
  public void cancel() {
    cancelled = true;
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
    return "";
  }

  @Override
  public Optional<MeshIdentity> caller() {
    return Optional.ofNullable(caller);
  }

  @Override
  public Optional<Instant> deadline() {
    return Optional.ofNullable(deadline);
  }

  @Override
  public Optional<Duration> timeRemaining() {
    return deadline().map(d -> Duration.between(Instant.now(), d));
  }

  @Override
  public boolean isCancelled() {
    return cancelled || deadlinePassed();
  }

  /**
   * Throws DEADLINE_EXCEEDED once the deadline has passed, else CANCELLED once {@link #cancel()}
   * was called: the same codes and messages as a served call.
   */
  @Override
  public void throwIfCancelled() {
    if (isCancelled()) {
      throw CallSkillContext.cancellation(skillId, deadlinePassed());
    }
  }

  private boolean deadlinePassed() {
    return deadline != null && Instant.now().isAfter(deadline);
  }

  @Override
  public MeshClient mesh() {
    if (mesh == null) {
      throw new IllegalStateException("no mesh client in this test context (use withMesh)");
    }
    return mesh;
  }
}
