package dev.meshwork.agent;

import dev.meshwork.api.common.v1.Part;
import java.util.List;

/**
 * The code behind a streaming skill: it reports status and progress and emits output chunks on
 * {@code stream} while it works, then returns the final result.
 *
 * <p>Called through {@code Invoke} (unary), the status updates are dropped and the response
 * carries every chunk's parts followed by the result's. Errors and cancellation behave as for
 * {@link SkillHandler}; emitting on a cancelled call throws, which stops the handler.
 */
@FunctionalInterface
public interface StreamingSkillHandler {

  /** Runs the skill; the returned parts are the final result. */
  List<Part> handle(SkillContext context, List<Part> input, SkillStream stream) throws Exception;
}
