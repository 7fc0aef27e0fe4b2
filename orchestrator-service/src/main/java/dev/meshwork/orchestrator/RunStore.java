package dev.meshwork.orchestrator;

import static java.util.Objects.requireNonNull;

import dev.meshwork.api.orchestrator.v1.Run;
import dev.meshwork.api.orchestrator.v1.RunEvent;
import dev.meshwork.api.orchestrator.v1.WorkflowSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Durable storage of runs (an append-only event log per run plus the run's current state, updated
 * together) and of versioned workflow definitions. Small on purpose, so that a PostgreSQL
 * implementation is a separate, later piece of work; the embedded default is H2.
 *
 * <p>Sequences are assigned by the run's single owner (the engine) and checked here: an append
 * whose first sequence is not the stored last sequence + 1 fails, so a log never has gaps or
 * duplicates.
 */
public interface RunStore extends AutoCloseable {

  /**
   * The outcome of {@link #create}.
   *
   * @param run the stored run: the new one, or the one holding the idempotency key
   * @param existing true when the idempotency key was used already and nothing was written
   */
  record Created(Run run, boolean existing) {}

  /**
   * Stores a new run and its first events in one transaction. When {@code run} has an idempotency
   * key that another run holds, writes nothing and returns that run.
   */
  Created create(Run run, List<RunEvent> events);

  /**
   * Appends events and replaces the run's state in one transaction; {@code run.last_sequence} must
   * be the last event's sequence.
   *
   * @throws dev.meshwork.core.MeshException {@code ABORTED} when the first event does not follow
   *     the stored last sequence, {@code NOT_FOUND} for an unknown run
   */
  void append(Run run, List<RunEvent> events);

  /**
   * A run with events to store, in a {@link Batch}.
   *
   * @param run the run after the events; {@code run.last_sequence} is the last event's sequence
   * @param events the events: from sequence 1 for a new run, else numbered on from the stored last
   *     sequence
   */
  record Write(Run run, List<RunEvent> events) {
    /** Validates and copies. */
    public Write {
      requireNonNull(run, "run");
      events = List.copyOf(events);
    }
  }

  /**
   * Writes for {@link #write}: new runs (as {@link #create}), then events of stored runs (as
   * {@link #append}).
   *
   * @param creates new runs with their first events
   * @param appends events of stored runs (or of runs created in {@code creates})
   */
  record Batch(List<Write> creates, List<Write> appends) {
    /** Validates and copies. */
    public Batch {
      creates = List.copyOf(creates);
      appends = List.copyOf(appends);
    }
  }

  /**
   * Stores a batch in one transaction (group commit): all of it or, on any failure, nothing. A
   * store without transactions spanning runs may write it one by one.
   *
   * @return the outcome of each create, in order
   * @throws dev.meshwork.core.MeshException as {@link #create} and {@link #append}, for the first
   *     write that fails
   */
  default List<Created> write(Batch batch) {
    List<Created> created = new ArrayList<>(batch.creates().size());
    for (Write w : batch.creates()) {
      created.add(create(w.run(), w.events()));
    }
    for (Write w : batch.appends()) {
      append(w.run(), w.events());
    }
    return created;
  }

  /** The run with {@code runId}. */
  Optional<Run> get(String runId);

  /** The run holding {@code idempotencyKey}. */
  Optional<Run> findByIdempotencyKey(String idempotencyKey);

  /** Runs matching {@code filter}, newest first. */
  Page<Run> list(RunFilter filter, int pageSize, String pageToken);

  /** Up to {@code limit} events of a run with a sequence greater than {@code afterSequence}. */
  List<RunEvent> eventsAfter(String runId, long afterSequence, int limit);

  /** Every run not in a terminal state, oldest first (for recovery). */
  List<Run> nonTerminal();

  /** Stores {@code spec} as the next version of its name and returns it with that version. */
  WorkflowSpec putWorkflow(WorkflowSpec spec);

  /** A stored workflow; version 0 means the latest. */
  Optional<WorkflowSpec> getWorkflow(String name, int version);

  /** The latest version of every stored workflow, by name. */
  Page<WorkflowSpec> listWorkflows(int pageSize, String pageToken);

  /** Releases the store's resources. */
  @Override
  void close();
}
