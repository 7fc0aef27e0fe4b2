package dev.meshwork.orchestrator.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

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
import dev.meshwork.orchestrator.internal.store.H2RunStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RunLogWriterTest {

  private final RecordingStore store = new RecordingStore();
  private final List<String> published = new CopyOnWriteArrayList<>();
  private final List<String> notYetStoredWhenPublished = new CopyOnWriteArrayList<>();
  private final RunLogWriter writer =
      new RunLogWriter(
          store,
          (run, events) -> {
            for (RunEvent e : events) {
              published.add(e.getRunId() + "#" + e.getSequence());
              long stored = store.get(e.getRunId()).map(Run::getLastSequence).orElse(0L);
              if (stored < e.getSequence()) {
                notYetStoredWhenPublished.add(e.getRunId() + "#" + e.getSequence());
              }
            }
          });

  @AfterEach
  void close() {
    writer.close();
    store.close();
  }

  @Test
  void append_manyRunsQueuedTogether_oneTransactionWithEachRunWrittenOnce() {
    List<Run> runs = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      runs.add(writer.create(submitted("r" + i, ""), List.of(event("r" + i, 1))).join().run());
    }
    store.blockNextAppend();
    CompletableFuture<Void> first =
        writer.append(advanced(runs.get(0), 2), List.of(event("r0", 2)));
    store.awaitBlocked();
    List<CompletableFuture<Void>> rest = new ArrayList<>();
    for (Run run : runs) {
      String id = run.getRunId();
      long from = id.equals("r0") ? 3 : 2;
      rest.add(writer.append(advanced(run, from), List.of(event(id, from))));
      rest.add(writer.append(advanced(run, from + 1), List.of(event(id, from + 1))));
    }
    store.unblock();

    first.join();
    CompletableFuture.allOf(rest.toArray(CompletableFuture[]::new)).join();
    assertThat(store.appendBatches).containsExactly(1, 50);
    assertThat(store.get("r0").orElseThrow().getLastSequence()).isEqualTo(4);
    assertThat(store.get("r49").orElseThrow().getLastSequence()).isEqualTo(3);
    assertThat(store.eventsAfter("r7", 0, 10))
        .extracting(RunEvent::getSequence)
        .containsExactly(1L, 2L, 3L);
    assertThat(published).hasSize(50 + 1 + 100);
    assertThat(notYetStoredWhenPublished).as("published before stored").isEmpty();
  }

  @Test
  void append_oneRunOutOfSequence_onlyThatRunFailsAndIsNotPublished() {
    Run a = writer.create(submitted("a", ""), List.of(event("a", 1))).join().run();
    Run b = writer.create(submitted("b", ""), List.of(event("b", 1))).join().run();
    store.blockNextAppend();
    CompletableFuture<Void> blocker = writer.append(advanced(a, 2), List.of(event("a", 2)));
    store.awaitBlocked();
    CompletableFuture<Void> bad = writer.append(advanced(b, 5), List.of(event("b", 5)));
    CompletableFuture<Void> good = writer.append(advanced(a, 3), List.of(event("a", 3)));
    store.unblock();

    blocker.join();
    good.join();
    assertThatThrownBy(bad::join)
        .isInstanceOf(CompletionException.class)
        .cause()
        .isInstanceOfSatisfying(
            MeshException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.ABORTED));
    assertThat(store.get("a").orElseThrow().getLastSequence()).isEqualTo(3);
    assertThat(store.get("b").orElseThrow().getLastSequence()).isEqualTo(1);
    assertThat(published).containsExactly("a#1", "b#1", "a#2", "a#3");
  }

  @Test
  void create_takenIdempotencyKey_returnsTheHolderAndPublishesNothing() {
    Run first =
        writer.create(submitted("first", "key-1"), List.of(event("first", 1))).join().run();

    RunStore.Created again =
        writer.create(submitted("second", "key-1"), List.of(event("second", 1))).join();

    assertThat(again.existing()).isTrue();
    assertThat(again.run()).isEqualTo(first);
    assertThat(store.get("second")).isEmpty();
    assertThat(published).containsExactly("first#1");
  }

  @Test
  void create_sameKeyTwiceInOneBatch_secondGetsTheFirst() {
    store.blockNextAppend();
    Run a = writer.create(submitted("a", ""), List.of(event("a", 1))).join().run();
    CompletableFuture<Void> blocker = writer.append(advanced(a, 2), List.of(event("a", 2)));
    store.awaitBlocked();
    var one = writer.create(submitted("one", "same"), List.of(event("one", 1)));
    var two = writer.create(submitted("two", "same"), List.of(event("two", 1)));
    store.unblock();

    blocker.join();
    assertThat(one.join().existing()).isFalse();
    assertThat(two.join().existing()).isTrue();
    assertThat(two.join().run().getRunId()).isEqualTo("one");
  }

  @Test
  void close_storesWhatIsQueued() {
    Run a = writer.create(submitted("a", ""), List.of(event("a", 1))).join().run();
    store.blockNextAppend();
    CompletableFuture<Void> blocker = writer.append(advanced(a, 2), List.of(event("a", 2)));
    store.awaitBlocked();
    CompletableFuture<Void> queued = writer.append(advanced(a, 3), List.of(event("a", 3)));
    CompletableFuture.runAsync(writer::close);
    store.unblock();

    await().atMost(Duration.ofSeconds(5)).until(queued::isDone);
    assertThat(blocker).isCompleted();
    assertThat(queued).isCompleted();
    assertThat(store.get("a").orElseThrow().getLastSequence()).isEqualTo(3);
    assertThatThrownBy(() -> writer.append(advanced(a, 4), List.of(event("a", 4))).join())
        .hasMessageContaining("closed");
  }

  private static Run submitted(String id, String key) {
    return Run.newBuilder()
        .setRunId(id)
        .setWorkflow(WorkflowSpec.newBuilder().setName("wf"))
        .setState(RunState.RUN_STATE_SUBMITTED)
        .setIdempotencyKey(key)
        .setCreateTime(Timestamp.newBuilder().setSeconds(100))
        .setLastSequence(1)
        .build();
  }

  private static Run advanced(Run run, long lastSequence) {
    return run.toBuilder()
        .setState(RunState.RUN_STATE_WORKING)
        .setLastSequence(lastSequence)
        .build();
  }

  private static RunEvent event(String runId, long sequence) {
    return RunEvent.newBuilder()
        .setRunId(runId)
        .setSequence(sequence)
        .setType(
            sequence == 1
                ? RunEventType.RUN_EVENT_TYPE_RUN_SUBMITTED
                : RunEventType.RUN_EVENT_TYPE_STEP_STARTED)
        .build();
  }

  /** An in-memory H2 store that records batch sizes and can hold the writer inside a write. */
  private static final class RecordingStore implements RunStore {
    private final H2RunStore delegate = H2RunStore.inMemory("writer-" + UUID.randomUUID());
    final List<Integer> appendBatches = new CopyOnWriteArrayList<>();
    private volatile CountDownLatch blocked;
    private volatile CountDownLatch release;
    private volatile boolean holdNext;

    void blockNextAppend() {
      blocked = new CountDownLatch(1);
      release = new CountDownLatch(1);
      holdNext = true;
    }

    void awaitBlocked() {
      try {
        assertThat(blocked.await(5, TimeUnit.SECONDS)).as("the writer reached the store").isTrue();
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }

    void unblock() {
      release.countDown();
    }

    @Override
    public List<Created> write(Batch batch) {
      if (batch.appends().isEmpty()) {
        return delegate.write(batch);
      }
      appendBatches.add(batch.appends().size());
      if (holdNext) {
        holdNext = false;
        blocked.countDown();
        try {
          release.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return delegate.write(batch);
    }

    @Override
    public Created create(Run run, List<RunEvent> events) {
      return delegate.create(run, events);
    }

    @Override
    public void append(Run run, List<RunEvent> events) {
      write(new Batch(List.of(), List.of(new Write(run, events))));
    }

    @Override
    public Optional<Run> get(String runId) {
      return delegate.get(runId);
    }

    @Override
    public Optional<Run> findByIdempotencyKey(String idempotencyKey) {
      return delegate.findByIdempotencyKey(idempotencyKey);
    }

    @Override
    public Page<Run> list(RunFilter filter, int pageSize, String pageToken) {
      return delegate.list(filter, pageSize, pageToken);
    }

    @Override
    public List<RunEvent> eventsAfter(String runId, long afterSequence, int limit) {
      return delegate.eventsAfter(runId, afterSequence, limit);
    }

    @Override
    public List<Run> nonTerminal() {
      return delegate.nonTerminal();
    }

    @Override
    public WorkflowSpec putWorkflow(WorkflowSpec spec) {
      return delegate.putWorkflow(spec);
    }

    @Override
    public Optional<WorkflowSpec> getWorkflow(String name, int version) {
      return delegate.getWorkflow(name, version);
    }

    @Override
    public Page<WorkflowSpec> listWorkflows(int pageSize, String pageToken) {
      return delegate.listWorkflows(pageSize, pageToken);
    }

    @Override
    public void close() {
      delegate.close();
    }
  }
}
