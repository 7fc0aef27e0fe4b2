package dev.meshwork.gateway.internal;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How the messages of one server-streaming RPC become server-sent events: which response fields
 * make the event {@code id} (joined with {@code :}) and its {@code event} name, and which request
 * field a reconnecting client's {@code Last-Event-ID} (or {@code ?after=}) fills in. Field paths
 * are proto names, dotted. A streaming RPC without a spec is still served: plain {@code data:}
 * events, no ids, no resume.
 *
 * @param idFields response field paths forming the event id; empty for no id
 * @param typeField response field path naming the event; empty for the default ({@code message})
 * @param resumeField int64 request field set from the last event id; empty when the stream cannot
 *     resume
 */
public record SseStreamSpec(
    List<String> idFields, Optional<String> typeField, Optional<String> resumeField) {

  /** The specs of the contracts' streams, by full method name. */
  static final Map<String, SseStreamSpec> KNOWN =
      Map.of(
          // Per-run sequences have no gaps: the last one seen is exactly where to resume.
          "meshwork.orchestrator.v1.RunStatusService/WatchRun",
          new SseStreamSpec(
              List.of("event.sequence"), Optional.of("event.type"), Optional.of("after_sequence")),
          // The firehose interleaves runs; its position orders all of them, so the last one seen
          // is where to resume (the orchestrator answers OUT_OF_RANGE once it no longer holds
          // what followed, and the client re-reads state with ListRuns).
          "meshwork.orchestrator.v1.RunStatusService/WatchRuns",
          new SseStreamSpec(
              List.of("position"), Optional.of("event.type"), Optional.of("after_position")),
          // The first message is the started run (no id, named after its field: started); the
          // events
          // after it carry the run's sequence, so a dropped client resumes with GET
          // /v1/runs/{id}/events from the last id seen. Resuming the POST would start a run again.
          "meshwork.orchestrator.v1.OrchestratorService/StartAndWatchRun",
          new SseStreamSpec(List.of("event.sequence"), Optional.of("event.type"), Optional.empty()),
          "meshwork.registry.v1.RegistryService/WatchAgentInstances",
          new SseStreamSpec(
              List.of("revision"), Optional.of("type"), Optional.of("after_revision")));

  /** The default for streams the gateway knows nothing about. */
  static final SseStreamSpec PLAIN =
      new SseStreamSpec(List.of(), Optional.empty(), Optional.empty());

  /** Validates the parts. */
  public SseStreamSpec {
    idFields = List.copyOf(idFields);
    requireNonNull(typeField, "typeField");
    requireNonNull(resumeField, "resumeField");
  }

  /** The spec of {@code fullMethodName}. */
  public static SseStreamSpec of(String fullMethodName) {
    return KNOWN.getOrDefault(fullMethodName, PLAIN);
  }
}
