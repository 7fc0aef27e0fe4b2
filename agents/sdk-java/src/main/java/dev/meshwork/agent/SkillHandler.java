package dev.meshwork.agent;

import dev.meshwork.api.common.v1.Part;
import java.util.List;

/**
 * The code behind a skill: input parts in, output parts out.
 *
 * <p>Throw {@code MeshException.invalidArgument(...)} to reject bad input (the caller gets
 * INVALID_ARGUMENT with field violations); any other exception becomes INTERNAL with its message
 * (never a stack trace). Long-running handlers should check {@link SkillContext#isCancelled()} or
 * block interruptibly: the handler's thread is interrupted when the caller cancels or the
 * deadline passes.
 */
@FunctionalInterface
public interface SkillHandler {

  /** Runs the skill. */
  List<Part> handle(SkillContext context, List<Part> input) throws Exception;
}
