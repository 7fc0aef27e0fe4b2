package dev.meshwork.registry.internal;

import static java.util.Objects.requireNonNull;

import dev.meshwork.api.common.v1.AgentCard;
import dev.meshwork.api.registry.v1.AgentInstance;
import dev.meshwork.api.registry.v1.Load;
import java.time.Duration;
import java.time.Instant;

/**
 * One instance as the registry keeps it: the published view plus what the registry needs to run
 * its lease and decide which changes are worth an event.
 *
 * @param instance what clients see
 * @param key the agent name and endpoint the instance is registered under
 * @param leaseTtl the lease's time to live
 * @param expireTime when the lease expires unless renewed
 * @param publishedLoad the load watchers last saw in an event; small drifts from it are not
 *     published
 */
record StoredInstance(
    AgentInstance instance,
    InstanceKey key,
    Duration leaseTtl,
    Instant expireTime,
    Load publishedLoad) {

  StoredInstance {
    requireNonNull(instance, "instance");
    requireNonNull(key, "key");
    requireNonNull(leaseTtl, "leaseTtl");
    requireNonNull(expireTime, "expireTime");
    requireNonNull(publishedLoad, "publishedLoad");
  }

  String id() {
    return instance.getInstanceId();
  }

  AgentCard card() {
    return instance.getCard();
  }

  /** A lease expires at its expiry instant, not after it. */
  boolean isExpiredAt(Instant now) {
    return !now.isBefore(expireTime);
  }
}
