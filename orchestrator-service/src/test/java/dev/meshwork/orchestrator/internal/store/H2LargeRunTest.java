package dev.meshwork.orchestrator.internal.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import dev.meshwork.api.common.v1.Part;
import dev.meshwork.api.orchestrator.v1.Run;
import dev.meshwork.api.orchestrator.v1.RunEvent;
import dev.meshwork.api.orchestrator.v1.StepRun;
import dev.meshwork.api.orchestrator.v1.WorkflowSpec;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class H2LargeRunTest {

  @Test
  void append_runWithMegabytesOfOutput_storedWhole() {
    try (H2RunStore store = H2RunStore.inMemory("big-" + UUID.randomUUID())) {
      Run run =
          Run.newBuilder()
              .setRunId("big")
              .setWorkflow(WorkflowSpec.newBuilder().setName("wf"))
              .setCreateTime(Timestamp.newBuilder().setSeconds(1))
              .setLastSequence(1)
              .build();
      store.create(run, List.of(RunEvent.newBuilder().setRunId("big").setSequence(1).build()));
      Part big = Part.newBuilder().setText("x".repeat(6 * 1024 * 1024)).build();
      Run withOutput =
          run.toBuilder()
              .addSteps(StepRun.newBuilder().setStepId("a").addOutput(big))
              .setLastSequence(2)
              .build();

      store.append(
          withOutput,
          List.of(RunEvent.newBuilder().setRunId("big").setSequence(2).addOutput(big).build()));

      assertThat(store.get("big").orElseThrow().getSteps(0).getOutput(0).getText())
          .hasSize(6 * 1024 * 1024);
      assertThat(store.eventsAfter("big", 1, 1).get(0).getOutput(0)).isEqualTo(big);
    }
  }
}
