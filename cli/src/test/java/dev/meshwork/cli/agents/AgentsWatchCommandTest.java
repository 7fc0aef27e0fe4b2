package dev.meshwork.cli.agents;

import static dev.meshwork.cli.testing.Protos.instance;
import static dev.meshwork.cli.testing.Protos.removed;
import static dev.meshwork.cli.testing.Protos.synced;
import static dev.meshwork.cli.testing.Protos.watchEvent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meshwork.api.registry.v1.AgentInstance;
import dev.meshwork.api.registry.v1.HealthState;
import dev.meshwork.api.registry.v1.RemovalReason;
import dev.meshwork.api.registry.v1.WatchAgentInstancesRequest;
import dev.meshwork.api.registry.v1.WatchEventType;
import dev.meshwork.cli.MeshctlRun;
import dev.meshwork.cli.testing.FakeMesh;
import dev.meshwork.cli.testing.StreamScript;
import io.grpc.Status;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Snapshot events carry revision 0 and SYNCED the snapshot's revision, as the registry sends. */
class AgentsWatchCommandTest {

  private static final AgentInstance TEXT = instance("i-1", "text", 7101, "text.summarize");
  private static final AgentInstance DATA = instance("i-2", "data", 7102, "data.chart");

  private FakeMesh mesh;

  @BeforeEach
  void start() throws Exception {
    mesh = FakeMesh.start();
  }

  @AfterEach
  void stop() throws Exception {
    mesh.close();
  }

  @Test
  void watch_snapshotThenLiveEvents_printsTableThenOneLineEach() throws Exception {
    mesh.registry()
        .thenWatch(
            StreamScript.open(
                List.of(watchEvent(WatchEventType.WATCH_EVENT_TYPE_ADDED, TEXT, 0), synced(4))));

    CompletableFuture<MeshctlRun> watch =
        CompletableFuture.supplyAsync(() -> mesh.meshctl("agents", "watch", "--count", "3"));
    await().atMost(Duration.ofSeconds(10)).until(() -> mesh.registry().openWatchCount() == 1);
    mesh.registry().push(watchEvent(WatchEventType.WATCH_EVENT_TYPE_ADDED, DATA, 5));
    AgentInstance busy =
        TEXT.toBuilder()
            .setHealth(HealthState.HEALTH_STATE_DRAINING)
            .setLoad(TEXT.getLoad().toBuilder().setInFlight(7))
            .build();
    mesh.registry().push(watchEvent(WatchEventType.WATCH_EVENT_TYPE_UPDATED, busy, 6));
    mesh.registry().push(removed(DATA, RemovalReason.REMOVAL_REASON_EXPIRED, 7));
    MeshctlRun run = watch.get(10, TimeUnit.SECONDS);

    assertThat(run.exitCode()).as(run.err()).isZero();
    List<String> lines = run.out().lines().toList();
    assertThat(lines.get(0)).startsWith("INSTANCE ");
    assertThat(lines.get(1)).startsWith("i-1 ");
    assertThat(lines.get(2))
        .isEqualTo(
            "+ ADDED i-2 data@127.0.0.1:7102 version=1.2.0 skills=data.chart health=SERVING"
                + " rev=5");
    assertThat(lines.get(3))
        .matches(
            "~ UPDATED i-1 text@127\\.0\\.0\\.1:7101 health=DRAINING in-flight=7 util=0\\.25"
                + " lease-left=\\d+s rev=6");
    assertThat(lines.get(4)).isEqualTo("- REMOVED (EXPIRED) i-2 data@127.0.0.1:7102 rev=7");
    assertThat(lines).hasSize(5);
    assertThat(run.err()).contains("-- revision 4; watching for changes (Ctrl-C to stop)");
  }

  @Test
  void watch_droppedStream_resumesFromLastRevisionWithoutRepeats() {
    mesh.registry()
        .thenWatch(
            StreamScript.failing(
                List.of(
                    watchEvent(WatchEventType.WATCH_EVENT_TYPE_ADDED, TEXT, 0),
                    synced(4),
                    watchEvent(WatchEventType.WATCH_EVENT_TYPE_ADDED, DATA, 5)),
                Status.UNAVAILABLE.withDescription("registry restarting")))
        .thenWatch(
            StreamScript.completing(
                List.of(
                    removed(DATA, RemovalReason.REMOVAL_REASON_DEREGISTERED, 6),
                    synced(6),
                    removed(TEXT, RemovalReason.REMOVAL_REASON_EXPIRED, 7))));

    MeshctlRun run = mesh.meshctl("agents", "watch", "--count", "3");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(mesh.registry().watchRequests())
        .extracting(WatchAgentInstancesRequest::getAfterRevision)
        .containsExactly(0L, 5L);
    assertThat(run.out().lines().filter(line -> line.matches("[+~-] .*")))
        .containsExactly(
            "+ ADDED i-2 data@127.0.0.1:7102 version=1.2.0 skills=data.chart health=SERVING rev=5",
            "- REMOVED (DEREGISTERED) i-2 data@127.0.0.1:7102 rev=6",
            "- REMOVED (EXPIRED) i-1 text@127.0.0.1:7101 rev=7");
    assertThat(run.err())
        .contains(
            "-- watch interrupted (UNAVAILABLE: registry restarting); resuming from revision 5")
        .contains("-- caught up at revision 6");
  }

  @Test
  void watch_revisionCompacted_takesNewSnapshot() {
    mesh.registry()
        .thenWatch(
            StreamScript.failing(
                List.of(), Status.OUT_OF_RANGE.withDescription("revision 2 compacted")))
        .thenWatch(
            StreamScript.completing(
                List.of(
                    watchEvent(WatchEventType.WATCH_EVENT_TYPE_ADDED, TEXT, 0),
                    synced(41),
                    watchEvent(WatchEventType.WATCH_EVENT_TYPE_ADDED, DATA, 42))));

    MeshctlRun run = mesh.meshctl("agents", "watch", "--from-revision", "2", "--count", "1");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(mesh.registry().watchRequests())
        .extracting(WatchAgentInstancesRequest::getAfterRevision)
        .containsExactly(2L, 0L);
    assertThat(run.err())
        .contains("-- the registry no longer holds revision 2; taking a new" + " snapshot");
    assertThat(run.out()).contains("i-1 ").contains("+ ADDED i-2 ");
  }

  @Test
  void watch_filters_sentToRegistry() {
    mesh.registry()
        .thenWatch(
            StreamScript.completing(
                List.of(synced(1), watchEvent(WatchEventType.WATCH_EVENT_TYPE_ADDED, TEXT, 2))));

    MeshctlRun run =
        mesh.meshctl(
            "agents", "watch", "--skill", "text.summarize", "--label", "zone=eu", "--count", "1");

    assertThat(run.exitCode()).as(run.err()).isZero();
    WatchAgentInstancesRequest request = mesh.registry().watchRequests().get(0);
    assertThat(request.getFilter().getSkillId()).isEqualTo("text.summarize");
    assertThat(request.getFilter().getLabelsMap()).containsEntry("zone", "eu");
    assertThat(run.out()).startsWith("no agent instances match\n");
  }

  @Test
  void watch_permissionDenied_exits1WithoutRetrying() {
    mesh.registry()
        .thenWatch(
            StreamScript.failing(
                List.of(), Status.PERMISSION_DENIED.withDescription("client/alice may not watch")));

    MeshctlRun run = mesh.meshctl("agents", "watch");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err())
        .isEqualTo(
            "meshctl: PERMISSION_DENIED: client/alice may not watch (calling as client/alice)\n");
    assertThat(mesh.registry().watchRequests()).hasSize(1);
  }

  @Test
  void watch_registryUnreachable_exits1WithHint() {
    MeshctlRun run = FakeMesh.withoutServer("agents", "watch", "--registry", "reg.example:7001");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err())
        .isEqualTo(
            "meshctl: cannot reach the registry at reg.example:7001 (is it running? ./mesh up)\n");
  }
}
