package dev.meshwork.cli.agents;

import static java.util.Objects.requireNonNull;

import dev.meshwork.api.registry.v1.AgentInstance;
import dev.meshwork.api.registry.v1.InstanceFilter;
import dev.meshwork.api.registry.v1.WatchAgentInstancesRequest;
import dev.meshwork.api.registry.v1.WatchAgentInstancesResponse;
import dev.meshwork.api.registry.v1.WatchEventType;
import dev.meshwork.cli.MeshctlException;
import dev.meshwork.cli.remote.MeshClient;
import dev.meshwork.cli.remote.ResumePolicy;
import dev.meshwork.cli.remote.Server;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Follows {@code WatchAgentInstances} across dropped streams: after a drop it watches again from
 * the last revision it saw (so nothing is missed or repeated), and when the registry no longer
 * holds that revision ({@code OUT_OF_RANGE}) it starts over with a fresh snapshot.
 */
final class InstanceWatch {

  /** What the watch reports. */
  interface Listener {

    /** A complete snapshot, at {@code revision}. */
    void snapshot(List<AgentInstance> instances, long revision);

    /** The replay after a resume is complete; live events follow. */
    void caughtUp(long revision);

    /** A change; return false to stop watching. */
    boolean event(WatchAgentInstancesResponse event);

    /** The stream dropped; the watch resumes from {@code revision} (0: a new snapshot). */
    void interrupted(String why, long revision);

    /** The registry no longer holds {@code revision}; a new snapshot follows. */
    void compacted(long revision);
  }

  private final MeshClient client;
  private final InstanceFilter filter;
  private long revision;

  InstanceWatch(MeshClient client, InstanceFilter filter, long fromRevision) {
    this.client = requireNonNull(client, "client");
    this.filter = requireNonNull(filter, "filter");
    this.revision = fromRevision;
  }

  /**
   * Watches until the listener stops it.
   *
   * @throws MeshctlException when the registry cannot be reached at first, or refuses the watch
   */
  void run(Listener listener) throws InterruptedException {
    boolean connected = false;
    boolean outage = false;
    ResumePolicy resume = new ResumePolicy();
    while (true) {
      Context.CancellableContext context = Context.current().withCancellation();
      try {
        Iterator<WatchAgentInstancesResponse> stream = open(context);
        boolean snapshotting = revision == 0;
        boolean synced = false;
        Map<String, AgentInstance> snapshot = new LinkedHashMap<>();
        while (stream.hasNext()) {
          WatchAgentInstancesResponse event = stream.next();
          connected = true;
          resume.reset();
          if (event.getType() == WatchEventType.WATCH_EVENT_TYPE_SYNCED) {
            revision = Math.max(revision, event.getRevision());
            if (snapshotting && !synced) {
              listener.snapshot(List.copyOf(snapshot.values()), revision);
            } else if (outage || !synced) {
              listener.caughtUp(revision);
            }
            synced = true;
            outage = false;
          } else if (snapshotting && !synced) {
            collect(snapshot, event);
          } else {
            revision = Math.max(revision, event.getRevision());
            if (!listener.event(event)) {
              return;
            }
          }
        }
        if (!outage) {
          listener.interrupted(
              "the registry ended the watch", snapshotting && !synced ? 0 : revision);
          outage = true;
        }
        if (snapshotting && !synced) {
          revision = 0;
        }
      } catch (StatusRuntimeException e) {
        Status.Code code = e.getStatus().getCode();
        // Checked before the fatal codes: a compacted revision is recovered by a new snapshot.
        if (code == Status.Code.OUT_OF_RANGE && revision > 0) {
          listener.compacted(revision);
          revision = 0;
          continue;
        }
        if (!connected || ResumePolicy.isFatal(e)) {
          throw client.failure(Server.REGISTRY, e);
        }
        if (!outage) {
          listener.interrupted(code + ": " + e.getStatus().getDescription(), revision);
          outage = true;
        }
      } finally {
        context.cancel(null);
      }
      resume.pause();
    }
  }

  private Iterator<WatchAgentInstancesResponse> open(Context.CancellableContext context) {
    WatchAgentInstancesRequest request =
        WatchAgentInstancesRequest.newBuilder()
            .setFilter(filter)
            .setAfterRevision(revision)
            .build();
    Context previous = context.attach();
    try {
      return client.registryStreams().watchAgentInstances(request);
    } finally {
      context.detach(previous);
    }
  }

  private static void collect(
      Map<String, AgentInstance> snapshot, WatchAgentInstancesResponse event) {
    String id = event.getInstance().getInstanceId();
    if (event.getType() == WatchEventType.WATCH_EVENT_TYPE_REMOVED) {
      snapshot.remove(id);
    } else {
      snapshot.put(id, event.getInstance());
    }
  }
}
