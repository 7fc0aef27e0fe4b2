package dev.meshwork.orchestrator.internal.engine;

import static java.util.Objects.requireNonNull;

import dev.meshwork.api.orchestrator.v1.Run;
import dev.meshwork.api.orchestrator.v1.RunEvent;
import dev.meshwork.orchestrator.RunStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Writes new runs and every run's events to the store, with group commit: one thread takes whatever
 * writes are queued, merges the appends of the same run, and stores them all in one transaction.
 * Only after that commit are the writes' futures completed and their events handed to the {@link
 * RunListener}, so a watcher never sees an event that a crash could take back.
 *
 * <p>Why: a synchronous commit per event (under the run's lock) made the store the engine's
 * bottleneck; a commit costs about the same for one event as for a hundred. The engine goes on with
 * a run while its events are being written: an agent call may start before its STEP_STARTED is
 * durable, which is safe because a restart dispatches such a step again with the same idempotency
 * key. Per run, appends are stored and published in the order they were queued.
 */
final class RunLogWriter implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(RunLogWriter.class.getName());

  /** Appends per transaction at most: bounds a transaction's size and the latency of its first. */
  static final int MAX_BATCH = 512;

  private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

  /** A queued write: a new run, or events of a stored one. */
  private sealed interface Op permits CreateOp, AppendOp {
    RunStore.Write write();

    CompletableFuture<?> done();
  }

  private record CreateOp(RunStore.Write write, CompletableFuture<RunStore.Created> done)
      implements Op {}

  private record AppendOp(RunStore.Write write, CompletableFuture<Void> done) implements Op {}

  private final RunStore store;
  private final RunListener listener;
  private final BlockingQueue<Op> queue = new LinkedBlockingQueue<>();
  private final Thread thread;
  private volatile boolean closing;

  /**
   * A started writer.
   *
   * @param store where events go
   * @param listener told about each append once it is stored, on the writer's thread
   */
  RunLogWriter(RunStore store, RunListener listener) {
    this.store = requireNonNull(store, "store");
    this.listener = requireNonNull(listener, "listener");
    this.thread = new Thread(this::loop, "meshwork-run-log-writer");
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * Queues a new run (state SUBMITTED) with its first events.
   *
   * @return completes once it is stored, with the run holding its idempotency key when another
   *     run has it already (then nothing was stored); or exceptionally with the store's error
   */
  CompletableFuture<RunStore.Created> create(Run run, List<RunEvent> events) {
    CreateOp op = new CreateOp(new RunStore.Write(run, events), new CompletableFuture<>());
    enqueue(op);
    return op.done();
  }

  /**
   * Queues events of a run (numbered on from its previous write) with the run after them; the
   * run's create may still be queued, not stored yet.
   *
   * @return completes once they are stored, or exceptionally with the store's error (then this
   *     run's later appends fail too: their sequences no longer follow the stored ones)
   */
  CompletableFuture<Void> append(Run run, List<RunEvent> events) {
    AppendOp op = new AppendOp(new RunStore.Write(run, events), new CompletableFuture<>());
    enqueue(op);
    return op.done();
  }

  private void enqueue(Op op) {
    if (closing) {
      op.done().completeExceptionally(new IllegalStateException("the run log writer is closed"));
      return;
    }
    queue.add(op);
  }

  /** Appends queued and not stored yet. */
  int backlog() {
    return queue.size();
  }

  /** Stores what is queued (waiting a few seconds at most), then stops the thread. */
  @Override
  public void close() {
    closing = true;
    try {
      thread.join(CLOSE_WAIT.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    thread.interrupt();
  }

  private void loop() {
    List<Op> batch = new ArrayList<>(MAX_BATCH);
    while (true) {
      Op first;
      try {
        first = queue.poll(50, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        failQueued();
        return;
      }
      if (first == null) {
        if (closing) {
          failQueued(); // appends that raced with close()
          return;
        }
        continue;
      }
      batch.add(first);
      queue.drainTo(batch, MAX_BATCH - 1);
      try {
        write(batch);
      } catch (RuntimeException e) {
        // write() completes every future itself; this is a bug in a listener or the like.
        LOG.log(Level.SEVERE, "run log writer: unexpected failure", e);
      }
      batch.clear();
    }
  }

  private void write(List<Op> batch) {
    // A run's create is queued before its first append (the engine starts a run once its create
    // is queued), so it is in this batch or an earlier one, and creates can go first.
    List<CreateOp> creates = new ArrayList<>();
    List<AppendOp> appends = new ArrayList<>();
    for (Op op : batch) {
      if (op instanceof CreateOp c) {
        creates.add(c);
      } else {
        appends.add((AppendOp) op);
      }
    }
    List<RunStore.Write> merged = merge(appends);
    List<RunStore.Created> created;
    try {
      created =
          store.write(
              new RunStore.Batch(creates.stream().map(CreateOp::write).toList(), merged));
    } catch (RuntimeException e) {
      // One bad write must not fail the others: store them one by one.
      writeOneByOne(creates, appends, merged);
      return;
    }
    for (int i = 0; i < creates.size(); i++) {
      created(creates.get(i), created.get(i));
    }
    appended(appends);
  }

  private void writeOneByOne(
      List<CreateOp> creates, List<AppendOp> appends, List<RunStore.Write> merged) {
    for (CreateOp op : creates) {
      try {
        created(op, store.write(new RunStore.Batch(List.of(op.write()), List.of())).get(0));
      } catch (RuntimeException e) {
        op.done().completeExceptionally(e);
      }
    }
    Map<String, Throwable> failed = new LinkedHashMap<>();
    for (RunStore.Write write : merged) {
      try {
        store.write(new RunStore.Batch(List.of(), List.of(write)));
      } catch (RuntimeException e) {
        failed.put(write.run().getRunId(), e);
      }
    }
    List<AppendOp> ok = new ArrayList<>(appends.size());
    for (AppendOp op : appends) {
      Throwable failure = failed.get(op.write().run().getRunId());
      if (failure == null) {
        ok.add(op);
      } else {
        op.done().completeExceptionally(failure);
      }
    }
    appended(ok);
  }

  private void created(CreateOp op, RunStore.Created created) {
    if (!created.existing()) {
      publish(op.write());
    }
    op.done().complete(created);
  }

  /** Publishes, then completes, each append in queue order. */
  private void appended(List<AppendOp> appends) {
    for (AppendOp op : appends) {
      publish(op.write());
      op.done().complete(null);
    }
  }

  private void publish(RunStore.Write write) {
    if (write.events().isEmpty()) {
      return;
    }
    try {
      listener.onEvents(write.run(), write.events());
    } catch (RuntimeException e) {
      // Watchers are best-effort; the events are stored and replayable.
      LOG.log(Level.WARNING, "run " + write.run().getRunId() + ": cannot publish its events", e);
    }
  }

  /**
   * One append per run: its events in queue order and its latest state, so that a run is rewritten
   * once per transaction however many of its events it holds.
   */
  private static List<RunStore.Write> merge(List<AppendOp> appends) {
    Map<String, Run> latest = new LinkedHashMap<>();
    Map<String, List<RunEvent>> events = new LinkedHashMap<>();
    for (AppendOp op : appends) {
      String runId = op.write().run().getRunId();
      latest.put(runId, op.write().run());
      events.computeIfAbsent(runId, id -> new ArrayList<>()).addAll(op.write().events());
    }
    List<RunStore.Write> merged = new ArrayList<>(latest.size());
    for (Map.Entry<String, Run> e : latest.entrySet()) {
      merged.add(new RunStore.Write(e.getValue(), events.get(e.getKey())));
    }
    return merged;
  }

  private void failQueued() {
    List<Op> left = new ArrayList<>();
    queue.drainTo(left);
    for (Op op : left) {
      op.done().completeExceptionally(new IllegalStateException("the run log writer stopped"));
    }
  }
}
