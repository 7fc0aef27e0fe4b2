package dev.meshwork.cli.testing;

import dev.meshwork.api.registry.v1.AgentInstance;
import dev.meshwork.api.registry.v1.ListAgentInstancesRequest;
import dev.meshwork.api.registry.v1.ListAgentInstancesResponse;
import dev.meshwork.api.registry.v1.RegistryServiceGrpc;
import dev.meshwork.api.registry.v1.WatchAgentInstancesRequest;
import dev.meshwork.api.registry.v1.WatchAgentInstancesResponse;
import dev.meshwork.core.GrpcErrors;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A RegistryService with just what meshctl calls: {@code ListAgentInstances} pages over a fixed
 * list (ignoring the filter, which tests check in {@link #listRequests()}), and {@code
 * WatchAgentInstances} plays one {@link StreamScript} per call.
 */
public final class FakeRegistry extends RegistryServiceGrpc.RegistryServiceImplBase {

  private final List<AgentInstance> instances = new CopyOnWriteArrayList<>();
  private final List<ListAgentInstancesRequest> listRequests = new CopyOnWriteArrayList<>();
  private final List<WatchAgentInstancesRequest> watchRequests = new CopyOnWriteArrayList<>();
  private final ConcurrentLinkedQueue<StreamScript<WatchAgentInstancesResponse>> watchScripts =
      new ConcurrentLinkedQueue<>();
  private final List<StreamObserver<WatchAgentInstancesResponse>> openWatches =
      new CopyOnWriteArrayList<>();
  private volatile int maxPageSize = 1000;
  private volatile RuntimeException listFailure;

  /** Adds instances to what ListAgentInstances returns. */
  public FakeRegistry add(AgentInstance... added) {
    instances.addAll(List.of(added));
    return this;
  }

  /** Caps the page size, to make meshctl follow page tokens. */
  public FakeRegistry maxPageSize(int size) {
    this.maxPageSize = size;
    return this;
  }

  /** Makes ListAgentInstances fail with {@code failure} (mapped as a server would). */
  public FakeRegistry failList(RuntimeException failure) {
    this.listFailure = failure;
    return this;
  }

  /** Queues the script of the next WatchAgentInstances call. */
  public FakeRegistry thenWatch(StreamScript<WatchAgentInstancesResponse> script) {
    watchScripts.add(script);
    return this;
  }

  /** Sends {@code event} on every watch left open. */
  public void push(WatchAgentInstancesResponse event) {
    openWatches.forEach(observer -> observer.onNext(event));
  }

  /** How many watches are open now. */
  public int openWatchCount() {
    return openWatches.size();
  }

  /** Every ListAgentInstances request so far. */
  public List<ListAgentInstancesRequest> listRequests() {
    return List.copyOf(listRequests);
  }

  /** Every WatchAgentInstances request so far. */
  public List<WatchAgentInstancesRequest> watchRequests() {
    return List.copyOf(watchRequests);
  }

  @Override
  public void listAgentInstances(
      ListAgentInstancesRequest request, StreamObserver<ListAgentInstancesResponse> response) {
    listRequests.add(request);
    if (listFailure != null) {
      response.onError(GrpcErrors.toStatusException(listFailure));
      return;
    }
    int start = request.getPageToken().isEmpty() ? 0 : Integer.parseInt(request.getPageToken());
    int size = Math.min(request.getPageSize() == 0 ? 100 : request.getPageSize(), maxPageSize);
    int end = Math.min(instances.size(), start + size);
    ListAgentInstancesResponse.Builder page =
        ListAgentInstancesResponse.newBuilder()
            .addAllInstances(new ArrayList<>(instances.subList(start, end)));
    if (end < instances.size()) {
      page.setNextPageToken(Integer.toString(end));
    }
    response.onNext(page.build());
    response.onCompleted();
  }

  @Override
  public void watchAgentInstances(
      WatchAgentInstancesRequest request, StreamObserver<WatchAgentInstancesResponse> response) {
    watchRequests.add(request);
    StreamScript<WatchAgentInstancesResponse> script = watchScripts.poll();
    if (script == null) {
      response.onError(
          Status.FAILED_PRECONDITION.withDescription("no watch script left").asRuntimeException());
      return;
    }
    if (script.play(response)) {
      openWatches.add(response);
    }
  }
}
