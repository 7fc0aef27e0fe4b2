package dev.meshwork.orchestrator.internal.engine;

import dev.meshwork.api.orchestrator.v1.Run;
import dev.meshwork.api.orchestrator.v1.RunEvent;
import java.util.List;

/** Told about every batch of events right after it is stored (for live status streams). */
@FunctionalInterface
public interface RunListener {

  /** A listener that ignores everything. */
  RunListener NONE = (run, events) -> {};

  /**
   * Events were appended; {@code run} is the run after them. Must not block: it runs on the
   * engine's threads.
   */
  void onEvents(Run run, List<RunEvent> events);
}
