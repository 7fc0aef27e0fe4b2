package dev.meshwork.cli.remote;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ResumePolicyTest {

  private final List<Duration> waits = new ArrayList<>();
  private final ResumePolicy policy = new ResumePolicy(waits::add);

  @Test
  void pause_repeatedly_doublesUpToFiveSeconds() throws InterruptedException {
    for (int i = 0; i < 7; i++) {
      policy.pause();
    }

    assertThat(waits)
        .containsExactly(
            Duration.ofMillis(200),
            Duration.ofMillis(400),
            Duration.ofMillis(800),
            Duration.ofMillis(1600),
            Duration.ofMillis(3200),
            Duration.ofSeconds(5),
            Duration.ofSeconds(5));
  }

  @Test
  void reset_afterPauses_startsOverAtFirstBackoff() throws InterruptedException {
    policy.pause();
    policy.pause();

    policy.reset();
    policy.pause();

    assertThat(waits).last().isEqualTo(ResumePolicy.FIRST_BACKOFF);
  }

  @ParameterizedTest
  @EnumSource(
      value = Status.Code.class,
      names = {
        "INVALID_ARGUMENT",
        "NOT_FOUND",
        "PERMISSION_DENIED",
        "UNAUTHENTICATED",
        "FAILED_PRECONDITION",
        "OUT_OF_RANGE",
        "UNIMPLEMENTED"
      })
  void isFatal_callerOrRequestWrong_true(Status.Code code) {
    assertThat(ResumePolicy.isFatal(Status.fromCode(code).asRuntimeException())).isTrue();
  }

  @ParameterizedTest
  @EnumSource(
      value = Status.Code.class,
      names = {"UNAVAILABLE", "DEADLINE_EXCEEDED", "INTERNAL", "RESOURCE_EXHAUSTED", "ABORTED"})
  void isFatal_transient_false(Status.Code code) {
    assertThat(ResumePolicy.isFatal(Status.fromCode(code).asRuntimeException())).isFalse();
  }
}
