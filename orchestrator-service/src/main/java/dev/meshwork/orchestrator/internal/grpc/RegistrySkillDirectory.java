package dev.meshwork.orchestrator.internal.grpc;

import static java.util.Objects.requireNonNull;

import dev.meshwork.api.registry.v1.InstanceFilter;
import dev.meshwork.api.registry.v1.ListAgentInstancesRequest;
import dev.meshwork.api.registry.v1.RegistryServiceGrpc;
import dev.meshwork.core.ErrorCode;
import dev.meshwork.core.MeshException;
import dev.meshwork.orchestrator.SkillDirectory;
import io.grpc.Channel;
import io.grpc.StatusRuntimeException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Asks the registry whether any instance serves a skill. A yes is remembered for a few seconds, so
 * a burst of StartRuns costs one lookup per skill; a no is never cached (the agent may be
 * registering right now).
 */
public final class RegistrySkillDirectory implements SkillDirectory {

  private static final Duration CACHE = Duration.ofSeconds(5);

  /** Generous: a registry on a busy machine answers late rather than not at all. */
  private static final Duration LOOKUP_TIMEOUT = Duration.ofSeconds(8);

  private final RegistryServiceGrpc.RegistryServiceBlockingStub registry;
  private final Clock clock;
  private final Map<String, Instant> known = new ConcurrentHashMap<>();

  /** A directory asking the registry behind {@code registryChannel}. */
  public RegistrySkillDirectory(Channel registryChannel, Clock clock) {
    this.registry = RegistryServiceGrpc.newBlockingStub(requireNonNull(registryChannel, "channel"));
    this.clock = requireNonNull(clock, "clock");
  }

  @Override
  public boolean has(String skillId) {
    Instant until = known.get(skillId);
    if (until != null && clock.instant().isBefore(until)) {
      return true;
    }
    boolean has;
    try {
      has =
          registry
                  .withDeadlineAfter(LOOKUP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                  .listAgentInstances(
                      ListAgentInstancesRequest.newBuilder()
                          .setFilter(InstanceFilter.newBuilder().setSkillId(skillId))
                          .setPageSize(1)
                          .build())
                  .getInstancesCount()
              > 0;
    } catch (StatusRuntimeException e) {
      throw MeshException.of(
          ErrorCode.UNAVAILABLE,
          "REGISTRY_UNAVAILABLE",
          "cannot ask the registry whether skill '"
              + skillId
              + "' is served: "
              + e.getStatus().getCode(),
          e);
    }
    if (has) {
      known.put(skillId, clock.instant().plus(CACHE));
    } else {
      known.remove(skillId);
    }
    return has;
  }
}
