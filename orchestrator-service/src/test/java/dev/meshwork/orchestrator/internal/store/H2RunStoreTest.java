package dev.meshwork.orchestrator.internal.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Timestamp;
import dev.meshwork.api.orchestrator.v1.Run;
import dev.meshwork.api.orchestrator.v1.RunEvent;
import dev.meshwork.api.orchestrator.v1.RunEventType;
import dev.meshwork.api.orchestrator.v1.RunState;
import dev.meshwork.api.orchestrator.v1.WorkflowSpec;
import dev.meshwork.core.ErrorCode;
import dev.meshwork.core.MeshException;
import dev.meshwork.orchestrator.Page;
import dev.meshwork.orchestrator.RunFilter;
import dev.meshwork.orchestrator.RunStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class H2RunStoreTest {

  @TempDir Path tmp;

  private final H2RunStore store = H2RunStore.inMemory("store-" + UUID.randomUUID());

  @AfterEach
  void close() {
    store.close();
  }

  private static Run run(String id, String workflow, long createSeconds, String key) {
    return Run.newBuilder()
        .setRunId(id)
        .setWorkflow(WorkflowSpec.newBuilder().setName(workflow))
        .setState(RunState.RUN_STATE_SUBMITTED)
        .setIdempotencyKey(key)
        .setCreateTime(Timestamp.newBuilder().setSeconds(createSeconds))
        .setLastSequence(1)
        .putLabels("team", id.startsWith("x") ? "x" : "y")
        .build();
  }

  private static RunEvent event(String runId, long sequence, RunEventType type) {
    return RunEvent.newBuilder().setRunId(runId).setSequence(sequence).setType(type).build();
  }

  private static Run created(RunStore store, String id, String workflow, long t) {
    Run run = run(id, workflow, t, "");
    store.create(run, List.of(event(id, 1, RunEventType.RUN_EVENT_TYPE_RUN_SUBMITTED)));
    return run;
  }

  @Test
  void create_thenGetAndEvents_roundTrip() {
    Run run = created(store, "r1", "wf", 10);

    assertThat(store.get("r1")).contains(run);
    assertThat(store.eventsAfter("r1", 0, 10))
        .extracting(RunEvent::getType)
        .containsExactly(RunEventType.RUN_EVENT_TYPE_RUN_SUBMITTED);
    assertThat(store.get("nope")).isEmpty();
  }

  @Test
  void append_nextSequences_storedWithRunState() {
    Run run = created(store, "r1", "wf", 10);
    Run working = run.toBuilder().setState(RunState.RUN_STATE_WORKING).setLastSequence(3).build();

    store.append(
        working,
        List.of(
            event("r1", 2, RunEventType.RUN_EVENT_TYPE_RUN_STARTED),
            event("r1", 3, RunEventType.RUN_EVENT_TYPE_STEP_STARTED)));

    assertThat(store.get("r1")).contains(working);
    assertThat(store.eventsAfter("r1", 1, 10))
        .extracting(RunEvent::getSequence)
        .containsExactly(2L, 3L);
    assertThat(store.eventsAfter("r1", 0, 2))
        .extracting(RunEvent::getSequence)
        .containsExactly(1L, 2L);
  }

  @Test
  void append_sequenceNotFollowingStored_aborted() {
    Run run = created(store, "r1", "wf", 10);

    // A second writer that still believes the log ends at 0 would write sequence 1 again.
    assertThatThrownBy(
            () ->
                store.append(
                    run.toBuilder().setLastSequence(2).build(),
                    List.of(
                        event("r1", 1, RunEventType.RUN_EVENT_TYPE_RUN_STARTED),
                        event("r1", 2, RunEventType.RUN_EVENT_TYPE_STEP_STARTED))))
        .isInstanceOfSatisfying(
            MeshException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.ABORTED));
    assertThat(store.eventsAfter("r1", 0, 10)).hasSize(1);
  }

  @Test
  void append_gapInSequences_rejectedBeforeWriting() {
    Run run = created(store, "r1", "wf", 10);

    assertThatThrownBy(
            () ->
                store.append(
                    run.toBuilder().setLastSequence(4).build(),
                    List.of(
                        event("r1", 2, RunEventType.RUN_EVENT_TYPE_RUN_STARTED),
                        event("r1", 4, RunEventType.RUN_EVENT_TYPE_STEP_STARTED))))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(store.get("r1").orElseThrow().getLastSequence()).isEqualTo(1);
  }

  @Test
  void create_usedIdempotencyKey_returnsHolderAndWritesNothing() {
    Run first = run("r1", "wf", 10, "k");
    store.create(first, List.of(event("r1", 1, RunEventType.RUN_EVENT_TYPE_RUN_SUBMITTED)));

    RunStore.Created second =
        store.create(
            run("r2", "wf", 11, "k"),
            List.of(event("r2", 1, RunEventType.RUN_EVENT_TYPE_RUN_SUBMITTED)));

    assertThat(second.existing()).isTrue();
    assertThat(second.run()).isEqualTo(first);
    assertThat(store.get("r2")).isEmpty();
    assertThat(store.findByIdempotencyKey("k")).contains(first);
  }

  @Test
  void list_filtersAndPagesNewestFirst() {
    for (int i = 0; i < 7; i++) {
      created(store, (i % 2 == 0 ? "x" : "y") + i, i < 5 ? "wf" : "other", 100 + i);
    }
    Run done =
        store.get("x4").orElseThrow().toBuilder()
            .setState(RunState.RUN_STATE_COMPLETED)
            .setLastSequence(2)
            .build();
    store.append(done, List.of(event("x4", 2, RunEventType.RUN_EVENT_TYPE_RUN_COMPLETED)));

    List<String> ids = new ArrayList<>();
    String token = "";
    do {
      Page<Run> page = store.list(RunFilter.ALL, 3, token);
      assertThat(page.items().size()).isLessThanOrEqualTo(3);
      page.items().forEach(r -> ids.add(r.getRunId()));
      token = page.nextPageToken();
    } while (!token.isEmpty());

    assertThat(ids).containsExactly("x6", "y5", "x4", "y3", "x2", "y1", "x0");
    assertThat(store.list(new RunFilter(Set.of(), "wf", Map.of("team", "x")), 10, "").items())
        .extracting(Run::getRunId)
        .containsExactly("x4", "x2", "x0");
    assertThat(
            store
                .list(new RunFilter(Set.of(RunState.RUN_STATE_COMPLETED), "", Map.of()), 10, "")
                .items())
        .extracting(Run::getRunId)
        .containsExactly("x4");
    assertThat(store.nonTerminal()).extracting(Run::getRunId).doesNotContain("x4").hasSize(6);
  }

  @Test
  void list_badPageToken_invalidArgument() {
    assertThatThrownBy(() -> store.list(RunFilter.ALL, 3, "!!!"))
        .isInstanceOfSatisfying(
            MeshException.class,
            e -> assertThat(e.violations().get(0).field()).isEqualTo("page_token"));
  }

  @Test
  void workflows_putAssignsVersions_getLatestOrOne_listLatestPaged() {
    for (String name : List.of("b", "a", "c", "a")) {
      store.putWorkflow(WorkflowSpec.newBuilder().setName(name).setDescription(name).build());
    }

    assertThat(store.getWorkflow("a", 0).orElseThrow().getVersion()).isEqualTo(2);
    assertThat(store.getWorkflow("a", 1).orElseThrow().getVersion()).isEqualTo(1);
    assertThat(store.getWorkflow("a", 3)).isEmpty();
    Page<WorkflowSpec> first = store.listWorkflows(2, "");
    assertThat(first.items()).extracting(WorkflowSpec::getName).containsExactly("a", "b");
    assertThat(first.items().get(0).getVersion()).isEqualTo(2);
    assertThat(store.listWorkflows(2, first.nextPageToken()).items())
        .extracting(WorkflowSpec::getName)
        .containsExactly("c");
  }

  @Test
  void openFile_reopened_keepsRunsEventsAndWorkflows() {
    try (H2RunStore file = H2RunStore.openFile(tmp)) {
      created(file, "r1", "wf", 5);
      file.putWorkflow(WorkflowSpec.newBuilder().setName("wf").build());
    }

    try (H2RunStore reopened = H2RunStore.openFile(tmp)) {
      assertThat(reopened.get("r1")).isPresent();
      assertThat(reopened.eventsAfter("r1", 0, 10)).hasSize(1);
      assertThat(reopened.getWorkflow("wf", 0)).isPresent();
    }
  }
}
