package dev.meshwork.orchestrator.internal.stream;

import static java.util.Objects.requireNonNull;

import dev.meshwork.api.orchestrator.v1.Run;
import dev.meshwork.api.orchestrator.v1.RunEvent;

/**
 * A committed event as the hub hands it out: with its position in the firehose of all runs and the
 * run it belongs to, as far as watch filters need it.
 *
 * @param position strictly increasing over every event the hub publishes
 * @param run the run after the event's batch, reduced to what {@code RunFilter} reads (id, state,
 *     workflow name, labels), so the history does not pin whole runs with their outputs
 * @param event the event
 */
record PublishedEvent(long position, Run run, RunEvent event) {

  /** Validates the parts. */
  PublishedEvent {
    requireNonNull(run, "run");
    requireNonNull(event, "event");
  }
}
