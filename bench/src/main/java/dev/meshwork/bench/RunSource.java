package dev.meshwork.bench;

import dev.meshwork.api.orchestrator.v1.StartRunRequest;
import java.util.function.Consumer;

/** Starts runs and reports how each ended: over gRPC ({@link RunDriver}) or in-process. */
interface RunSource {

  /** Starts {@code request}'s run; {@code done} gets its outcome exactly once. */
  void run(StartRunRequest request, Consumer<RunDriver.Outcome> done);
}
