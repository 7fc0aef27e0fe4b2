package dev.meshwork.agents.echo.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Struct;
import dev.meshwork.agent.Parts;
import dev.meshwork.agent.SkillStream;
import dev.meshwork.agent.TestSkillContext;
import dev.meshwork.api.common.v1.Part;
import dev.meshwork.core.ErrorCode;
import dev.meshwork.core.FieldViolation;
import dev.meshwork.core.MeshException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EchoSkillsTest {

  /** Records what a handler streams. */
  private static final class RecordingStream implements SkillStream {
    final List<String> messages = new ArrayList<>();
    final List<Double> progress = new ArrayList<>();
    final List<Map<String, Object>> details = new ArrayList<>();

    @Override
    public void progress(String message, double progress) {
      progress(message, progress, Struct.getDefaultInstance());
    }

    @Override
    public void progress(String message, double progress, Struct details) {
      this.messages.add(message);
      this.progress.add(progress);
      this.details.add(Parts.toMap(details));
    }

    @Override
    public void chunk(List<Part> parts) {
      throw new AssertionError("java.slow sends no chunks");
    }
  }

  private final RecordingStream stream = new RecordingStream();

  @Test
  void echo_textAndData_returnsInputUnchanged() {
    List<Part> input =
        List.of(Parts.text("hello"), Parts.data(Map.of("n", 1, "list", List.of("a", true))));

    assertThat(EchoSkills.echo(input)).isEqualTo(input);
  }

  @Test
  void echo_noParts_invalidArgumentOnInput() {
    assertThatThrownBy(() -> EchoSkills.echo(List.of()))
        .isInstanceOfSatisfying(
            MeshException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
              assertThat(e.violations())
                  .containsExactly(new FieldViolation("input", "[] (expected: at least one part)"));
            });
  }

  @Test
  void slow_threeSteps_progressPerStepThenDoneResult() throws Exception {
    List<Part> out =
        EchoSkills.slow(
            TestSkillContext.of(EchoSkills.SLOW),
            List.of(Parts.data(Map.of("steps", 3, "delay_ms", 1))),
            stream);

    assertThat(stream.messages).containsExactly("step 1/3", "step 2/3", "step 3/3");
    assertThat(stream.progress.get(2)).isEqualTo(1.0);
    assertThat(stream.details.get(1)).containsEntry("step", 2.0);
    assertThat(Parts.firstData(out).orElseThrow()).isEqualTo(Map.of("steps", 3.0, "done", true));
  }

  @Test
  void slow_contextCancelled_stopsBeforeTheNextStep() {
    TestSkillContext ctx = TestSkillContext.of(EchoSkills.SLOW);
    ctx.cancel();

    assertThatThrownBy(() -> EchoSkills.slow(ctx, List.of(Parts.text("5")), stream))
        .isInstanceOfSatisfying(
            MeshException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CANCELLED));
    assertThat(stream.messages).isEmpty();
  }

  @Test
  void slow_deadlinePassed_deadlineExceededWithoutFinishing() {
    TestSkillContext ctx = TestSkillContext.of(EchoSkills.SLOW).withTimeout(Duration.ofMillis(50));

    assertThatThrownBy(
            () ->
                EchoSkills.slow(
                    ctx, List.of(Parts.data(Map.of("steps", 100, "delay_ms", 20))), stream))
        .isInstanceOfSatisfying(
            MeshException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.DEADLINE_EXCEEDED));
    assertThat(stream.messages.size()).isLessThan(100);
  }

  @Test
  void parse_noInput_defaults() {
    assertThat(SlowParams.parse(List.of())).isEqualTo(SlowParams.DEFAULT);
  }

  @Test
  void parse_textNumberOfSteps_keepsDefaultDelay() {
    assertThat(SlowParams.parse(List.of(Parts.text(" 7 "))))
        .isEqualTo(new SlowParams(7, SlowParams.DEFAULT.delayMs()));
  }

  @Test
  void parse_badFields_invalidArgumentNamingEachSorted() {
    List<Part> input =
        List.of(
            Parts.data(Map.of("steps", 2.5, "delay_ms", -1, "color", "red")), Parts.text("many"));

    assertThatThrownBy(() -> SlowParams.parse(input))
        .isInstanceOfSatisfying(
            MeshException.class,
            e ->
                assertThat(e.violations())
                    .containsExactly(
                        new FieldViolation(
                            "input[0].data.color", "unknown field (expected: steps, delay_ms)"),
                        new FieldViolation(
                            "input[0].data.delay_ms", "-1.0 (expected: an integer 0..60000)"),
                        new FieldViolation(
                            "input[0].data.steps", "2.5 (expected: an integer 1..1000)"),
                        new FieldViolation(
                            "input[1].text", "'many' (expected: a number of steps 1..1000)")));
  }

  @Test
  void parse_stepsAsString_invalidArgument() {
    assertThatThrownBy(() -> SlowParams.parse(List.of(Parts.data(Map.of("steps", "3")))))
        .isInstanceOfSatisfying(
            MeshException.class,
            e -> assertThat(e.violations().get(0).field()).isEqualTo("input[0].data.steps"));
  }
}
