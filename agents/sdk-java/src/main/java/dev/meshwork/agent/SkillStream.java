package dev.meshwork.agent;

import com.google.protobuf.Struct;
import dev.meshwork.api.common.v1.Part;
import java.util.List;

/**
 * Where a {@link StreamingSkillHandler} sends what happens before its result. Safe to call from
 * several threads; each method throws {@code MeshException} (CANCELLED or DEADLINE_EXCEEDED) once
 * the call is over, so a handler stops emitting into the void.
 */
public interface SkillStream {

  /** A human-readable status message, progress unknown. */
  default void status(String message) {
    progress(message, 0);
  }

  /** A status message with progress in [0, 1]. */
  void progress(String message, double progress);

  /** A status message with progress in [0, 1] and structured details. */
  void progress(String message, double progress, Struct details);

  /** A piece of output. */
  void chunk(List<Part> parts);

  /** A piece of output. */
  default void chunk(Part... parts) {
    chunk(List.of(parts));
  }
}
