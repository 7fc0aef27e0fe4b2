package dev.meshwork.registry.internal.grpc;

import static java.util.Objects.requireNonNull;

import dev.meshwork.api.registry.v1.AgentInstance;
import dev.meshwork.api.registry.v1.DeregisterAgentRequest;
import dev.meshwork.api.registry.v1.DeregisterAgentResponse;
import dev.meshwork.api.registry.v1.GetAgentInstanceRequest;
import dev.meshwork.api.registry.v1.GetAgentInstanceResponse;
import dev.meshwork.api.registry.v1.ListAgentInstancesRequest;
import dev.meshwork.api.registry.v1.ListAgentInstancesResponse;
import dev.meshwork.api.registry.v1.RegisterAgentRequest;
import dev.meshwork.api.registry.v1.RegisterAgentResponse;
import dev.meshwork.api.registry.v1.RegistryServiceGrpc;
import dev.meshwork.api.registry.v1.RenewLeaseRequest;
import dev.meshwork.api.registry.v1.RenewLeaseResponse;
import dev.meshwork.api.registry.v1.WatchAgentInstancesRequest;
import dev.meshwork.api.registry.v1.WatchAgentInstancesResponse;
import dev.meshwork.core.CallerIdentity;
import dev.meshwork.registry.internal.InstancePage;
import dev.meshwork.registry.internal.InstanceRegistry;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.Executor;

/**
 * {@code meshwork.registry.v1.RegistryService} over an {@link InstanceRegistry}: maps protos to
 * the domain and back; failures are thrown as {@code MeshException} for the server's
 * error-mapping interceptor.
 *
 * <p>What clients can rely on (beyond the proto comments):
 *
 * <ul>
 *   <li>{@code RegisterAgent}: a missing {@code lease_ttl} means 30s. A new instance starts
 *       SERVING. The instance id is derived from agent name and endpoint, so it is stable across
 *       re-registrations and registry restarts.
 *   <li>{@code RenewLease}: NOT_FOUND means "register again" (the lease expired, or the registry
 *       restarted: it keeps no state on disk). A renewal emits an UPDATED event only when health
 *       changes, the in-flight count differs from the last published one, or utilization moved by
 *       at least 0.05 since then; pure heartbeats (lease extension, small load drift) emit nothing,
 *       so watchers are not flooded. {@code lease_expire_time} in events may therefore lag.
 *   <li>{@code WatchAgentInstances}: snapshot events (after_revision 0) carry revision 0, since a
 *       half-received snapshot cannot be resumed; SYNCED carries the snapshot's revision. Resume
 *       with the last non-zero revision received. A watcher that falls more than its buffer (1024
 *       events by default) behind is cut off with RESOURCE_EXHAUSTED, reason WATCHER_TOO_SLOW.
 *       Revisions start at the registry's start time in microseconds, so after a registry restart
 *       a resuming watcher gets OUT_OF_RANGE (REVISION_COMPACTED) and watches again from 0.
 * </ul>
 */
public final class RegistryGrpcService extends RegistryServiceGrpc.RegistryServiceImplBase {

  private final InstanceRegistry registry;
  private final Executor watchExecutor;

  /**
   * A service over {@code registry}.
   *
   * @param watchExecutor runs the drains of watch streams; each drain returns as soon as its
   *     client is not ready, so a small pool serves many watchers
   */
  public RegistryGrpcService(InstanceRegistry registry, Executor watchExecutor) {
    this.registry = requireNonNull(registry, "registry");
    this.watchExecutor = requireNonNull(watchExecutor, "watchExecutor");
  }

  @Override
  public void registerAgent(
      RegisterAgentRequest request, StreamObserver<RegisterAgentResponse> responses) {
    AgentInstance instance = registry.register(request, CallerIdentity.current());
    reply(responses, RegisterAgentResponse.newBuilder().setInstance(instance).build());
  }

  @Override
  public void renewLease(RenewLeaseRequest request, StreamObserver<RenewLeaseResponse> responses) {
    AgentInstance instance = registry.renew(request, CallerIdentity.current());
    reply(
        responses,
        RenewLeaseResponse.newBuilder()
            .setLeaseExpireTime(instance.getLeaseExpireTime())
            .build());
  }

  @Override
  public void deregisterAgent(
      DeregisterAgentRequest request, StreamObserver<DeregisterAgentResponse> responses) {
    registry.deregister(request.getInstanceId(), CallerIdentity.current());
    reply(responses, DeregisterAgentResponse.getDefaultInstance());
  }

  @Override
  public void getAgentInstance(
      GetAgentInstanceRequest request, StreamObserver<GetAgentInstanceResponse> responses) {
    AgentInstance instance = registry.get(request.getInstanceId());
    reply(responses, GetAgentInstanceResponse.newBuilder().setInstance(instance).build());
  }

  @Override
  public void listAgentInstances(
      ListAgentInstancesRequest request, StreamObserver<ListAgentInstancesResponse> responses) {
    InstancePage page = registry.list(request);
    reply(
        responses,
        ListAgentInstancesResponse.newBuilder()
            .addAllInstances(page.instances())
            .setNextPageToken(page.nextPageToken())
            .build());
  }

  @Override
  public void watchAgentInstances(
      WatchAgentInstancesRequest request,
      StreamObserver<WatchAgentInstancesResponse> responses) {
    WatchCall.start(
        registry,
        request,
        (ServerCallStreamObserver<WatchAgentInstancesResponse>) responses,
        watchExecutor);
  }

  private static <T> void reply(StreamObserver<T> responses, T response) {
    responses.onNext(response);
    responses.onCompleted();
  }
}
