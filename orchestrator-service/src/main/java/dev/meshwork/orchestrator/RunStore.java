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
   * Creates several runs in one transaction (group commit), as {@link #create} each: all of them
   * or, on any failure, none. A store without transactions spanning runs may create them one by
   * one.
   */
  default List<Created> createAll(List<Write> creates) {
    List<Created> created = new ArrayList<>(creates.size());
    for (Write w : creates) {
      created.add(create(w.run(), w.events()));
    }
    return created;
  }

  /**
   * Appends events and replaces the run's state in one transaction; {@code run.last_sequence} must
   * be the last event's sequence.
   *
   * @throws dev.meshwork.core.MeshException {@code ABORTED} when the first event does not follow
   *     the stored last sequence, {@code NOT_FOUND} for an unknown run
   */
  void append(Run run, List<RunEvent> events);

  /**
   * A run with events to store, for {@link #createAll} and {@link #appendAll}.
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
   * Appends several runs' events in one transaction (group commit): all of them or, on any
   * failure, none. A store without transactions spanning runs may append them one by one.
   *
   * @throws dev.meshwork.core.MeshException as {@link #append} for the first that fails
   */
  default void appendAll(List<Write> appends) {
    for (Write a : appends) {
      append(a.run(), a.events());
    }
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
