package dev.meshwork.orchestrator;

import dev.meshwork.api.orchestrator.v1.Run;
import dev.meshwork.api.orchestrator.v1.RunEvent;
import dev.meshwork.api.orchestrator.v1.WorkflowSpec;
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
