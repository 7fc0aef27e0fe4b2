package dev.meshwork.core.testing;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.util.Durations;
import com.google.protobuf.util.Timestamps;
import dev.meshwork.api.common.v1.Endpoint;
import dev.meshwork.api.common.v1.Skill;
import dev.meshwork.api.registry.v1.AgentInstance;
import dev.meshwork.api.registry.v1.DeregisterAgentRequest;
import dev.meshwork.api.registry.v1.DeregisterAgentResponse;
import dev.meshwork.api.registry.v1.GetAgentInstanceRequest;
import dev.meshwork.api.registry.v1.GetAgentInstanceResponse;
import dev.meshwork.api.registry.v1.HealthState;
import dev.meshwork.api.registry.v1.InstanceFilter;
import dev.meshwork.api.registry.v1.ListAgentInstancesRequest;
import dev.meshwork.api.registry.v1.ListAgentInstancesResponse;
import dev.meshwork.api.registry.v1.Load;
import dev.meshwork.api.registry.v1.RegisterAgentRequest;
import dev.meshwork.api.registry.v1.RegisterAgentResponse;
import dev.meshwork.api.registry.v1.RegistryServiceGrpc;
import dev.meshwork.api.registry.v1.RemovalReason;
import dev.meshwork.api.registry.v1.RenewLeaseRequest;
import dev.meshwork.api.registry.v1.RenewLeaseResponse;
import dev.meshwork.api.registry.v1.WatchAgentInstancesRequest;
import dev.meshwork.api.registry.v1.WatchAgentInstancesResponse;
import dev.meshwork.api.registry.v1.WatchEventType;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An in-memory {@code RegistryService} for tests of registry clients (name resolver, agent SDK),
 * following the contract of {@code registry.proto}: leases (not expired by time: tests call {@link
 * #expire}), revisions, watches with snapshot, SYNCED, live events and resume from a revision
 * (OUT_OF_RANGE when the history no longer reaches back, see {@link #compactHistory()}).
 *
 * <p>Knobs for failure tests: {@link #restart()} forgets everything as a restarted registry would,
 * {@link #breakWatches()} ends open watches with UNAVAILABLE. A {@link #calls()} log records every
 * RPC in order, with a global sequence number shared with {@link #sequence()}.
 */
public final class FakeRegistry extends RegistryServiceGrpc.RegistryServiceImplBase {

  /** One recorded RPC. */
  public record Call(long sequence, String method, String instanceId, Load load) {}

  private record Event(WatchEventType type, AgentInstance instance, long revision,
      RemovalReason reason) {}

  private record Watch(
      InstanceFilter filter, ServerCallStreamObserver<WatchAgentInstancesResponse> out) {}

  private static final AtomicLong SEQUENCE = new AtomicLong();

  private final Map<String, AgentInstance> instances = new TreeMap<>();
  private final List<Event> history = new ArrayList<>();
  private final List<Watch> watches = new ArrayList<>();
  private final List<Call> calls = new CopyOnWriteArrayList<>();
  private final List<Long> watchRevisions = new CopyOnWriteArrayList<>();
  private long revision;
  private long oldestResumable;

  /** A process-wide sequence, so tests can order registry calls against other observations. */
  public static long sequence() {
    return SEQUENCE.incrementAndGet();
  }

  @Override
  public synchronized void registerAgent(
      RegisterAgentRequest request, StreamObserver<RegisterAgentResponse> response) {
    log("RegisterAgent", "", null);
    Optional<AgentInstance> existing =
        instances.values().stream()
            .filter(i -> i.getCard().getName().equals(request.getCard().getName()))
            .filter(i -> i.getEndpoint().equals(request.getEndpoint()))
            .findFirst();
    // Like the real registry: the id derives from name and endpoint, so that it survives a
    // restart and one instance can never renew another's lease by a recycled id.
    String id =
        existing
            .map(AgentInstance::getInstanceId)
            .orElseGet(
                () ->
                    request.getCard().getName() + "@" + request.getEndpoint().getHost() + ":"
                        + request.getEndpoint().getPort());
    Duration ttl =
        request.hasLeaseTtl()
            ? Duration.ofSeconds(
                request.getLeaseTtl().getSeconds(), request.getLeaseTtl().getNanos())
            : Duration.ofSeconds(30);
    AgentInstance instance =
        AgentInstance.newBuilder()
            .setInstanceId(id)
            .setCard(request.getCard())
            .setEndpoint(request.getEndpoint())
            .setHealth(HealthState.HEALTH_STATE_SERVING)
            .setLeaseTtl(Durations.fromMillis(ttl.toMillis()))
            .setLeaseExpireTime(Timestamps.fromMillis(System.currentTimeMillis() + ttl.toMillis()))
            .setRegisterTime(Timestamps.fromMillis(System.currentTimeMillis()))
            .build();
    put(instance, existing.isPresent() ? WatchEventType.WATCH_EVENT_TYPE_UPDATED
        : WatchEventType.WATCH_EVENT_TYPE_ADDED);
    response.onNext(RegisterAgentResponse.newBuilder().setInstance(instances.get(id)).build());
    response.onCompleted();
  }

  @Override
  public synchronized void renewLease(
      RenewLeaseRequest request, StreamObserver<RenewLeaseResponse> response) {
    log("RenewLease", request.getInstanceId(), request.getLoad());
    AgentInstance instance = instances.get(request.getInstanceId());
    if (instance == null) {
      response.onError(
          Status.NOT_FOUND
              .withDescription("instance '" + request.getInstanceId() + "' not found")
              .asRuntimeException());
      return;
    }
    long ttl = Durations.toMillis(instance.getLeaseTtl());
    AgentInstance.Builder updated =
        instance.toBuilder()
            .setLoad(request.getLoad())
            .setLeaseExpireTime(Timestamps.fromMillis(System.currentTimeMillis() + ttl));
    if (request.getHealth() != HealthState.HEALTH_STATE_UNSPECIFIED) {
      updated.setHealth(request.getHealth());
    }
    put(updated.build(), WatchEventType.WATCH_EVENT_TYPE_UPDATED);
    response.onNext(
        RenewLeaseResponse.newBuilder()
            .setLeaseExpireTime(instances.get(request.getInstanceId()).getLeaseExpireTime())
            .build());
    response.onCompleted();
  }

  @Override
  public synchronized void deregisterAgent(
      DeregisterAgentRequest request, StreamObserver<DeregisterAgentResponse> response) {
    log("DeregisterAgent", request.getInstanceId(), null);
    remove(request.getInstanceId(), RemovalReason.REMOVAL_REASON_DEREGISTERED);
    response.onNext(DeregisterAgentResponse.getDefaultInstance());
    response.onCompleted();
  }

  @Override
  public synchronized void getAgentInstance(
      GetAgentInstanceRequest request, StreamObserver<GetAgentInstanceResponse> response) {
    AgentInstance instance = instances.get(request.getInstanceId());
    if (instance == null) {
      response.onError(Status.NOT_FOUND.asRuntimeException());
      return;
    }
    response.onNext(GetAgentInstanceResponse.newBuilder().setInstance(instance).build());
    response.onCompleted();
  }

  @Override
  public synchronized void listAgentInstances(
      ListAgentInstancesRequest request, StreamObserver<ListAgentInstancesResponse> response) {
    ListAgentInstancesResponse.Builder page = ListAgentInstancesResponse.newBuilder();
    instances.values().stream().filter(i -> matches(request.getFilter(), i))
        .forEach(page::addInstances);
    response.onNext(page.build());
    response.onCompleted();
  }

  @Override
  public synchronized void watchAgentInstances(
      WatchAgentInstancesRequest request,
      StreamObserver<WatchAgentInstancesResponse> response) {
    log("WatchAgentInstances", "", null);
    watchRevisions.add(request.getAfterRevision());
    ServerCallStreamObserver<WatchAgentInstancesResponse> out =
        (ServerCallStreamObserver<WatchAgentInstancesResponse>) response;
    InstanceFilter filter = request.getFilter();
    long after = request.getAfterRevision();
    if (after > revision || (after > 0 && after < oldestResumable)) {
      out.onError(
          Status.OUT_OF_RANGE
              .withDescription("after_revision " + after + " is not in [" + oldestResumable
                  + ", " + revision + "]")
              .asRuntimeException());
      return;
    }
    if (after == 0) {
      for (AgentInstance instance : instances.values()) {
        if (matches(filter, instance)) {
          out.onNext(event(WatchEventType.WATCH_EVENT_TYPE_ADDED, instance, instance.getRevision(),
              RemovalReason.REMOVAL_REASON_UNSPECIFIED));
        }
      }
    } else {
      for (Event e : history) {
        if (e.revision() > after && matches(filter, e.instance())) {
          out.onNext(event(e.type(), e.instance(), e.revision(), e.reason()));
        }
      }
    }
    out.onNext(
        WatchAgentInstancesResponse.newBuilder()
            .setType(WatchEventType.WATCH_EVENT_TYPE_SYNCED)
            .setRevision(revision)
            .build());
    Watch watch = new Watch(filter, out);
    watches.add(watch);
    out.setOnCancelHandler(() -> {
      synchronized (FakeRegistry.this) {
        watches.remove(watch);
      }
    });
  }

  /** Sets an instance's health as if it had reported it. */
  public synchronized void setHealth(String instanceId, HealthState health) {
    AgentInstance instance = requireNonNull(instances.get(instanceId), instanceId);
    put(instance.toBuilder().setHealth(health).build(), WatchEventType.WATCH_EVENT_TYPE_UPDATED);
  }

  /** Lets an instance's lease expire now. */
  public synchronized void expire(String instanceId) {
    remove(instanceId, RemovalReason.REMOVAL_REASON_EXPIRED);
  }

  /** Forgets the event history: watches resuming from an older revision get OUT_OF_RANGE. */
  public synchronized void compactHistory() {
    history.clear();
    oldestResumable = revision + 1;
  }

  /**
   * Forgets every instance, revision and watch, as a restarted registry would (its in-memory state
   * is gone); open watches end with UNAVAILABLE.
   */
  public synchronized void restart() {
    instances.clear();
    history.clear();
    revision = 0;
    oldestResumable = 0;
    breakWatches();
  }

  /** Ends every open watch with UNAVAILABLE, as a dropped connection would. */
  public synchronized void breakWatches() {
    for (Watch watch : watches) {
      try {
        watch.out().onError(
            Status.UNAVAILABLE.withDescription("watch broken").asRuntimeException());
      } catch (IllegalStateException alreadyClosed) {
        // The client went away first.
      }
    }
    watches.clear();
  }

  /** The registered instances, by id. */
  public synchronized Map<String, AgentInstance> instances() {
    return Map.copyOf(instances);
  }

  /** The instances of agent {@code name}. */
  public synchronized List<AgentInstance> instancesOf(String name) {
    return instances.values().stream().filter(i -> i.getCard().getName().equals(name)).toList();
  }

  /** Every RPC received so far, in order. */
  public List<Call> calls() {
    return List.copyOf(calls);
  }

  /** How many RPCs of {@code method} were received. */
  public long count(String method) {
    return calls.stream().filter(c -> c.method().equals(method)).count();
  }

  /** The {@code after_revision} of every watch request, in order. */
  public List<Long> watchRevisions() {
    return List.copyOf(watchRevisions);
  }

  /** How many watches are open. */
  public synchronized int openWatches() {
    return watches.size();
  }

  /** The current revision. */
  public synchronized long revision() {
    return revision;
  }

  private void log(String method, String instanceId, Load load) {
    calls.add(new Call(sequence(), method, instanceId, load));
  }

  private void put(AgentInstance instance, WatchEventType type) {
    AgentInstance stored = instance.toBuilder().setRevision(++revision).build();
    instances.put(stored.getInstanceId(), stored);
    publish(new Event(type, stored, revision, RemovalReason.REMOVAL_REASON_UNSPECIFIED));
  }

  private void remove(String instanceId, RemovalReason reason) {
    AgentInstance gone = instances.remove(instanceId);
    if (gone == null) {
      return;
    }
    publish(new Event(WatchEventType.WATCH_EVENT_TYPE_REMOVED, gone, ++revision, reason));
  }

  private void publish(Event e) {
    history.add(e);
    for (Watch watch : List.copyOf(watches)) {
      if (!matches(watch.filter(), e.instance())) {
        continue;
      }
      try {
        watch.out().onNext(event(e.type(), e.instance(), e.revision(), e.reason()));
      } catch (RuntimeException cancelled) {
        watches.remove(watch);
      }
    }
  }

  private static WatchAgentInstancesResponse event(
      WatchEventType type, AgentInstance instance, long revision, RemovalReason reason) {
    return WatchAgentInstancesResponse.newBuilder()
        .setType(type)
        .setInstance(instance)
        .setRevision(revision)
        .setRemovalReason(reason)
        .build();
  }

  private static boolean matches(InstanceFilter filter, AgentInstance instance) {
    if (!filter.getAgentName().isEmpty()
        && !filter.getAgentName().equals(instance.getCard().getName())) {
      return false;
    }
    if (!filter.getSkillId().isEmpty()
        && instance.getCard().getSkillsList().stream().map(Skill::getId)
            .noneMatch(filter.getSkillId()::equals)) {
      return false;
    }
    for (Map.Entry<String, String> label : filter.getLabelsMap().entrySet()) {
      if (!label.getValue().equals(instance.getCard().getLabelsMap().get(label.getKey()))) {
        return false;
      }
    }
    return filter.getHealth() == HealthState.HEALTH_STATE_UNSPECIFIED
        || filter.getHealth() == instance.getHealth();
  }

  /** An endpoint, for tests. */
  public static Endpoint endpoint(String host, int port) {
    return Endpoint.newBuilder().setHost(host).setPort(port).build();
  }
}
