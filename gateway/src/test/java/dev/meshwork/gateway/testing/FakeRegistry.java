package dev.meshwork.gateway.testing;

import dev.meshwork.api.common.v1.AgentCard;
import dev.meshwork.api.common.v1.Endpoint;
import dev.meshwork.api.common.v1.Skill;
import dev.meshwork.api.registry.v1.AgentInstance;
import dev.meshwork.api.registry.v1.GetAgentInstanceRequest;
import dev.meshwork.api.registry.v1.GetAgentInstanceResponse;
import dev.meshwork.api.registry.v1.HealthState;
import dev.meshwork.api.registry.v1.ListAgentInstancesRequest;
import dev.meshwork.api.registry.v1.ListAgentInstancesResponse;
import dev.meshwork.api.registry.v1.Load;
import dev.meshwork.api.registry.v1.RegistryServiceGrpc;
import dev.meshwork.api.registry.v1.WatchAgentInstancesRequest;
import dev.meshwork.api.registry.v1.WatchAgentInstancesResponse;
import dev.meshwork.api.registry.v1.WatchEventType;
import dev.meshwork.core.GrpcErrors;
import dev.meshwork.core.MeshException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An in-memory RegistryService for the gateway's read routes: instances by id, listing filtered
 * by skill, and a watch (snapshot, SYNCED, then live ADDED events) with revisions.
 */
public final class FakeRegistry extends RegistryServiceGrpc.RegistryServiceImplBase {

  private final Map<String, AgentInstance> instances = new TreeMap<>();
  private final List<ServerCallStreamObserver<WatchAgentInstancesResponse>> watches =
      new ArrayList<>();
  private long revision;

  /** Registers an instance of {@code agent} serving {@code skill}. */
  public synchronized AgentInstance add(String id, String agent, String skill) {
    revision++;
    AgentInstance instance =
        AgentInstance.newBuilder()
            .setInstanceId(id)
            .setCard(
                AgentCard.newBuilder()
                    .setName(agent)
                    .setVersion("1.0.0")
                    .addSkills(Skill.newBuilder().setId(skill).setName(skill)))
            .setEndpoint(Endpoint.newBuilder().setHost("127.0.0.1").setPort(9000 + instances.size()))
            .setHealth(HealthState.HEALTH_STATE_SERVING)
            .setLoad(Load.newBuilder().setInFlight(2).setUtilization(0.25))
            .setRevision(revision)
            .build();
    instances.put(id, instance);
    for (ServerCallStreamObserver<WatchAgentInstancesResponse> out : watches) {
      out.onNext(event(WatchEventType.WATCH_EVENT_TYPE_ADDED, instance, revision));
    }
    return instance;
  }

  @Override
  public synchronized void getAgentInstance(
      GetAgentInstanceRequest request, StreamObserver<GetAgentInstanceResponse> out) {
    AgentInstance instance = instances.get(request.getInstanceId());
    if (instance == null) {
      out.onError(
          GrpcErrors.toStatusException(
              MeshException.notFound("instance", request.getInstanceId())));
      return;
    }
    out.onNext(GetAgentInstanceResponse.newBuilder().setInstance(instance).build());
    out.onCompleted();
  }

  @Override
  public synchronized void listAgentInstances(
      ListAgentInstancesRequest request, StreamObserver<ListAgentInstancesResponse> out) {
    String skill = request.getFilter().getSkillId();
    ListAgentInstancesResponse.Builder response = ListAgentInstancesResponse.newBuilder();
    for (AgentInstance instance : instances.values()) {
      if (skill.isEmpty()
          || instance.getCard().getSkillsList().stream().anyMatch(s -> s.getId().equals(skill))) {
        response.addInstances(instance);
      }
    }
    out.onNext(response.build());
    out.onCompleted();
  }

  @Override
  public synchronized void watchAgentInstances(
      WatchAgentInstancesRequest request, StreamObserver<WatchAgentInstancesResponse> out) {
    ServerCallStreamObserver<WatchAgentInstancesResponse> call =
        (ServerCallStreamObserver<WatchAgentInstancesResponse>) out;
    for (AgentInstance instance : instances.values()) {
      if (instance.getRevision() > request.getAfterRevision()) {
        call.onNext(event(WatchEventType.WATCH_EVENT_TYPE_ADDED, instance, instance.getRevision()));
      }
    }
    call.onNext(event(WatchEventType.WATCH_EVENT_TYPE_SYNCED, null, revision));
    watches.add(call);
    call.setOnCancelHandler(() -> remove(call));
  }

  private synchronized void remove(ServerCallStreamObserver<WatchAgentInstancesResponse> call) {
    watches.remove(call);
  }

  private static WatchAgentInstancesResponse event(
      WatchEventType type, AgentInstance instance, long revision) {
    WatchAgentInstancesResponse.Builder event =
        WatchAgentInstancesResponse.newBuilder().setType(type).setRevision(revision);
    if (instance != null) {
      event.setInstance(instance);
    }
    return event.build();
  }
}
