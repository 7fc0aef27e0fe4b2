package dev.meshwork.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshwork.core.ErrorCode;
import dev.meshwork.core.MeshException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class TestSkillContextTest {

  @Test
  void throwIfCancelled_deadlinePassed_deadlineExceededLikeAServedCall() {
    TestSkillContext ctx = TestSkillContext.of("x.slow").withTimeout(Duration.ofMillis(-1));

    assertThat(ctx.isCancelled()).isTrue();
    assertThatThrownBy(ctx::throwIfCancelled)
        .isInstanceOfSatisfying(
            MeshException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.DEADLINE_EXCEEDED);
              assertThat(e.getMessage())
                  .isEqualTo("skill 'x.slow' did not finish before the caller's deadline");
            });
  }

  @Test
  void throwIfCancelled_cancelledBeforeDeadline_cancelled() {
    TestSkillContext ctx = TestSkillContext.of("x.slow").withTimeout(Duration.ofMinutes(1));
    ctx.cancel();

    assertThatThrownBy(ctx::throwIfCancelled)
        .isInstanceOfSatisfying(
            MeshException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CANCELLED));
  }

  @Test
  void throwIfCancelled_runningCall_returns() {
    TestSkillContext ctx = TestSkillContext.of("x.slow").withTimeout(Duration.ofMinutes(1));

    assertThat(ctx.isCancelled()).isFalse();
    assertThatCode(ctx::throwIfCancelled).doesNotThrowAnyException();
  }
}
