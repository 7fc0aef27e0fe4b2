package dev.meshwork.bench;

import com.google.protobuf.util.Timestamps;
import dev.meshwork.api.orchestrator.v1.RunEvent;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where a run's time goes: the gaps between consecutive events of the watched runs (orchestrator
 * clock), grouped by transition, for example {@code STEP_STARTED a -> STEP_COMPLETED a}.
 */
final class Timeline {

  private final Map<String, Latencies> gaps = new TreeMap<>();

  /** Records the gap from {@code previous} to {@code next} of the same run. */
  synchronized void add(RunEvent previous, RunEvent next) {
    long nanos =
        (Timestamps.toMicros(next.getTime()) - Timestamps.toMicros(previous.getTime())) * 1_000;
    String key =
        String.format(Locale.ROOT, "%03d %s -> %s", next.getSequence(), name(previous), name(next));
    gaps.computeIfAbsent(key, k -> new Latencies()).add(nanos);
  }

  /** The median gap of each transition, in order of sequence number, as Markdown table rows. */
  synchronized String rows() {
    StringBuilder rows = new StringBuilder();
    gaps.forEach(
        (key, l) ->
            rows.append(
                String.format(
                    Locale.ROOT,
                    "| %s | %.2f ms | %.2f ms |%n",
                    key.substring(4),
                    l.percentileMillis(50),
                    l.percentileMillis(99))));
    return rows.toString();
  }

  private static String name(RunEvent event) {
    String type = event.getType().name().replace("RUN_EVENT_TYPE_", "");
    return event.getStepId().isEmpty() ? type : type + " " + event.getStepId();
  }
}
