package dev.meshwork.agent;

import static java.util.Objects.requireNonNull;

import dev.failsafe.CircuitBreaker;
import dev.failsafe.CircuitBreakerOpenException;
import dev.failsafe.Failsafe;
import dev.meshwork.agent.internal.TraceHeaders;
import dev.meshwork.api.agent.v1.AgentServiceGrpc;
import dev.meshwork.api.agent.v1.InvokeRequest;
import dev.meshwork.api.agent.v1.InvokeResponse;
import dev.meshwork.api.agent.v1.InvokeStreamRequest;
import dev.meshwork.api.agent.v1.InvokeStreamResponse;
import dev.meshwork.api.common.v1.Part;
import dev.meshwork.core.ErrorCode;
import dev.meshwork.core.GrpcErrors;
import dev.meshwork.core.MeshChannels;
import dev.meshwork.core.MeshException;
import dev.meshwork.core.MeshTarget;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.io.Closeable;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Calls skills through the mesh: {@code mesh:///skill/<id>} channels (registry-fed resolver,
 * weighted round robin on ORCA load, outlier ejection, client-side health checks, mTLS), one
 * circuit breaker per skill, failures as {@link MeshException}.
 *
 * <p>Called from inside a skill handler, calls inherit the handler's deadline (the earlier of it
 * and any timeout given here) and cancellation, and carry its trace context.
 *
 * <pre>{@code
 * List<Part> keywords = context.mesh().invoke("text.keywords", input, Duration.ofSeconds(2));
 * }</pre>
 */
public final class MeshClient implements Closeable {

  /** Failures that say something about the callee's health, which trip its breaker. */
  private static final Set<ErrorCode> BREAKER_FAILURES =
      Set.of(ErrorCode.UNAVAILABLE, ErrorCode.INTERNAL, ErrorCode.DEADLINE_EXCEEDED);

  private static final int BREAKER_FAILURE_THRESHOLD = 5;
  private static final Duration BREAKER_OPEN_DELAY = Duration.ofSeconds(5);

  private final MeshChannels channels;
  private final Map<String, ManagedChannel> channelBySkill = new ConcurrentHashMap<>();
  private final Map<String, CircuitBreaker<Object>> breakerBySkill = new ConcurrentHashMap<>();
  private volatile boolean closed;

  private MeshClient(MeshChannels channels) {
    this.channels = channels.withInterceptor(TraceHeaders.clientInterceptor());
  }

  /**
   * A client over {@code channels}, which must resolve {@code mesh:} targets (see {@link
   * MeshChannels#withRegistry}).
   */
  public static MeshClient create(MeshChannels channels) {
    return new MeshClient(requireNonNull(channels, "channels"));
  }

  /**
   * Calls {@code skillId} with the current deadline (inside a handler: the handler's; elsewhere:
   * the channels' default).
   *
   * @throws MeshException with the callee's error, or UNAVAILABLE (reason CIRCUIT_OPEN) while the
   *     skill's breaker is open
   */
  public List<Part> invoke(String skillId, List<Part> input) {
    return invoke(InvokeRequest.newBuilder().setSkillId(skillId).addAllInput(input).build(), null)
        .getOutputList();
  }

  /**
   * Calls {@code skillId} within {@code timeout} (or the current deadline, if sooner).
   *
   * @throws MeshException with the callee's error, or UNAVAILABLE (reason CIRCUIT_OPEN)
   */
  public List<Part> invoke(String skillId, List<Part> input, Duration timeout) {
    requireNonNull(timeout, "timeout");
    return invoke(
            InvokeRequest.newBuilder().setSkillId(skillId).addAllInput(input).build(), timeout)
        .getOutputList();
  }

  /**
   * Sends {@code request} to an instance serving its skill, within {@code timeout} if not null.
   *
   * @throws MeshException with the callee's error, or UNAVAILABLE (reason CIRCUIT_OPEN)
   */
  public InvokeResponse invoke(InvokeRequest request, Duration timeout) {
    requireNonNull(request, "request");
    String skillId = request.getSkillId();
    AgentServiceGrpc.AgentServiceBlockingStub stub =
        AgentServiceGrpc.newBlockingStub(channel(skillId));
    AgentServiceGrpc.AgentServiceBlockingStub timed =
        timeout == null ? stub : stub.withDeadlineAfter(timeout.toNanos(), TimeUnit.NANOSECONDS);
    try {
      return Failsafe.with(breaker(skillId)).get(() -> call(() -> timed.invoke(request)));
    } catch (CircuitBreakerOpenException e) {
      throw MeshException.of(
          ErrorCode.UNAVAILABLE,
          "CIRCUIT_OPEN",
          "skill '" + skillId + "': circuit open after repeated failures; retry in a few seconds");
    }
  }

  /**
   * Calls {@code skillId} as a stream: status updates, chunks, then the result. The iterator
   * throws {@link MeshException} when the call fails midway. The breaker guards only the start.
   */
  public Iterator<InvokeStreamResponse> invokeStream(
      String skillId, List<Part> input, Duration timeout) {
    requireNonNull(timeout, "timeout");
    AgentServiceGrpc.AgentServiceBlockingStub stub =
        AgentServiceGrpc.newBlockingStub(channel(skillId))
            .withDeadlineAfter(timeout.toNanos(), TimeUnit.NANOSECONDS);
    InvokeStreamRequest request =
        InvokeStreamRequest.newBuilder().setSkillId(skillId).addAllInput(input).build();
    Iterator<InvokeStreamResponse> responses = call(() -> stub.invokeStream(request));
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return call(responses::hasNext);
      }

      @Override
      public InvokeStreamResponse next() {
        return call(responses::next);
      }
    };
  }

  /** Closes the channels made so far. */
  @Override
  public void close() {
    closed = true;
    channelBySkill.values().forEach(ManagedChannel::shutdown);
    for (ManagedChannel channel : channelBySkill.values()) {
      try {
        if (!channel.awaitTermination(5, TimeUnit.SECONDS)) {
          channel.shutdownNow();
        }
      } catch (InterruptedException e) {
        channel.shutdownNow();
        Thread.currentThread().interrupt();
      }
    }
    channelBySkill.clear();
  }

  private ManagedChannel channel(String skillId) {
    if (closed) {
      throw MeshException.of(ErrorCode.UNAVAILABLE, "CLIENT_CLOSED", "mesh client is closed");
    }
    try {
      MeshTarget target = MeshTarget.skill(skillId);
      return channelBySkill.computeIfAbsent(skillId, id -> channels.forTarget(target.uri()));
    } catch (IllegalArgumentException e) {
      throw MeshException.invalidArgument("skill_id", e.getMessage());
    }
  }

  private CircuitBreaker<Object> breaker(String skillId) {
    return breakerBySkill.computeIfAbsent(
        skillId,
        id ->
            CircuitBreaker.builder()
                .handleIf(
                    failure ->
                        failure instanceof MeshException me
                            && BREAKER_FAILURES.contains(me.code()))
                .withFailureThreshold(BREAKER_FAILURE_THRESHOLD)
                .withDelay(BREAKER_OPEN_DELAY)
                .build());
  }

  private interface GrpcCall<T> {
    T run();
  }

  private static <T> T call(GrpcCall<T> grpcCall) {
    try {
      return grpcCall.run();
    } catch (StatusRuntimeException e) {
      throw GrpcErrors.fromStatusException(e);
    }
  }
}
