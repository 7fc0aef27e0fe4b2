package dev.meshwork.agent.internal;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.util.Durations;
import dev.meshwork.api.common.v1.AgentCard;
import dev.meshwork.api.common.v1.Endpoint;
import dev.meshwork.api.registry.v1.DeregisterAgentRequest;
import dev.meshwork.api.registry.v1.HealthState;
import dev.meshwork.api.registry.v1.Load;
import dev.meshwork.api.registry.v1.RegisterAgentRequest;
import dev.meshwork.api.registry.v1.RegistryServiceGrpc;
import dev.meshwork.api.registry.v1.RenewLeaseRequest;
import dev.meshwork.core.internal.Backoff;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Keeps this agent instance in the registry: registers it, renews the lease every TTL/3 with the
 * current load, registers again when the registry no longer knows it (NOT_FOUND: restarted or
 * expired), and retries with backoff while the registry is unreachable, all without ever stopping
 * the agent from serving. {@link #deregisterAndStop} removes the instance on the way out.
 *
 * <p>All registry calls run on one scheduler thread, so the state needs no further locking.
 */
public final class LeaseKeeper {

  private static final Logger LOG = Logger.getLogger(LeaseKeeper.class.getName());

  private final RegistryServiceGrpc.RegistryServiceBlockingStub registry;
  private final AgentCard card;
  private final Endpoint endpoint;
  private final Duration ttl;
  private final Duration renewEvery;
  private final Duration callTimeout;
  private final Supplier<Load> load;
  private final ScheduledExecutorService scheduler;
  private final Backoff backoff;

  private volatile String instanceId;
  private ScheduledFuture<?> next;
  private boolean stopped;
  private boolean failing;

  /**
   * A keeper of the lease of the instance of {@code card} at {@code endpoint}.
   *
   * @param scheduler a single-threaded scheduler, shared with nothing that blocks for long
   */
  public LeaseKeeper(
      Channel registryChannel,
      AgentCard card,
      Endpoint endpoint,
      Duration ttl,
      Supplier<Load> load,
      ScheduledExecutorService scheduler) {
    this.registry = RegistryServiceGrpc.newBlockingStub(requireNonNull(registryChannel, "channel"));
    this.card = requireNonNull(card, "card");
    this.endpoint = requireNonNull(endpoint, "endpoint");
    this.ttl = requireNonNull(ttl, "ttl");
    this.load = requireNonNull(load, "load");
    this.scheduler = requireNonNull(scheduler, "scheduler");
    if (ttl.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException("leaseTtl: " + ttl + " (expected: >= 1s)");
    }
    this.renewEvery = ttl.dividedBy(3);
    // A renewal must give up before the next is due, and never hold the lease hostage to a slow
    // registry.
    this.callTimeout = renewEvery.compareTo(Duration.ofSeconds(5)) < 0 ? renewEvery
        : Duration.ofSeconds(5);
    this.backoff = new Backoff(Duration.ofMillis(200), renewEvery);
  }

  /** Registers as soon as possible, then keeps renewing. */
  public void start() {
    scheduler.execute(() -> schedule(Duration.ZERO));
  }

  /** The registry's id of this instance, once registered. */
  public Optional<String> instanceId() {
    return Optional.ofNullable(instanceId);
  }

  /**
   * Stops renewing and removes the instance from the registry (best effort: when the registry is
   * down its lease simply expires). Waits at most {@code timeout}.
   */
  public void deregisterAndStop(Duration timeout) {
    try {
      scheduler.submit(this::deregister).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // Already stopped.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      LOG.warning("deregistration did not complete: " + e);
    }
  }

  /** Stops renewing without deregistering (the lease expires on its own). */
  public void abandon() {
    try {
      scheduler.execute(
          () -> {
            stopped = true;
            cancelNext();
          });
    } catch (RejectedExecutionException e) {
      // Already stopped.
    }
  }

  private void tick() {
    if (stopped) {
      return;
    }
    try {
      if (instanceId == null) {
        register();
      } else {
        renew();
      }
      backoff.reset();
      if (failing) {
        failing = false;
        LOG.info(() -> "registry reachable again; instance " + instanceId + " registered");
      }
      schedule(renewEvery);
    } catch (StatusRuntimeException e) {
      Status status = e.getStatus();
      if (status.getCode() == Status.Code.NOT_FOUND && instanceId != null) {
        LOG.info(() -> "registry does not know instance " + instanceId + "; registering again");
        instanceId = null;
        schedule(Duration.ZERO);
        return;
      }
      Duration delay = backoff.nextDelay();
      Level level = failing ? Level.FINE : Level.WARNING;
      if (status.getCode() == Status.Code.INVALID_ARGUMENT
          || status.getCode() == Status.Code.PERMISSION_DENIED
          || status.getCode() == Status.Code.UNAUTHENTICATED) {
        level = Level.SEVERE; // a configuration problem: say so every time
      }
      failing = true;
      LOG.log(
          level,
          () -> (instanceId == null ? "registration" : "lease renewal") + " failed ("
              + status.getCode() + ": " + status.getDescription() + "); still serving, retrying in "
              + delay.toMillis() + "ms");
      schedule(delay);
    } catch (RuntimeException e) {
      LOG.log(Level.SEVERE, "unexpected failure talking to the registry", e);
      schedule(backoff.nextDelay());
    }
  }

  private void register() {
    String id =
        registry
            .withDeadlineAfter(callTimeout.toMillis(), TimeUnit.MILLISECONDS)
            .registerAgent(
                RegisterAgentRequest.newBuilder()
                    .setCard(card)
                    .setEndpoint(endpoint)
                    .setLeaseTtl(Durations.fromMillis(ttl.toMillis()))
                    .build())
            .getInstance()
            .getInstanceId();
    instanceId = id;
    LOG.info(() -> "registered " + card.getName() + " at " + endpoint.getHost() + ":"
        + endpoint.getPort() + " as instance " + id);
  }

  private void renew() {
    registry
        .withDeadlineAfter(callTimeout.toMillis(), TimeUnit.MILLISECONDS)
        .renewLease(
            RenewLeaseRequest.newBuilder()
                .setInstanceId(instanceId)
                .setLoad(load.get())
                .setHealth(HealthState.HEALTH_STATE_SERVING)
                .build());
  }

  private void deregister() {
    stopped = true;
    cancelNext();
    String id = instanceId;
    if (id == null) {
      return;
    }
    try {
      registry
          .withDeadlineAfter(callTimeout.toMillis(), TimeUnit.MILLISECONDS)
          .deregisterAgent(DeregisterAgentRequest.newBuilder().setInstanceId(id).build());
      instanceId = null;
      LOG.info(() -> "deregistered instance " + id);
    } catch (StatusRuntimeException e) {
      LOG.warning(
          "deregistering instance " + id + " failed (" + e.getStatus().getCode()
              + "); its lease expires within " + ttl.toSeconds() + "s");
    }
  }

  private void schedule(Duration delay) {
    if (stopped) {
      return;
    }
    next = scheduler.schedule(this::tick, delay.toNanos(), TimeUnit.NANOSECONDS);
  }

  private void cancelNext() {
    if (next != null) {
      next.cancel(false);
      next = null;
    }
  }
}
