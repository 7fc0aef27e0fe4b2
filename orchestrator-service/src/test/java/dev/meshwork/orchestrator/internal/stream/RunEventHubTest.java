package dev.meshwork.orchestrator.internal.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.util.Timestamps;
import dev.meshwork.api.orchestrator.v1.Run;
import dev.meshwork.api.orchestrator.v1.RunEvent;
import dev.meshwork.api.orchestrator.v1.RunEventType;
import dev.meshwork.api.orchestrator.v1.RunState;
import dev.meshwork.api.orchestrator.v1.WorkflowSpec;
import dev.meshwork.core.ErrorCode;
import dev.meshwork.core.MeshException;
import dev.meshwork.orchestrator.RunFilter;
import dev.meshwork.orchestrator.internal.store.H2RunStore;
import dev.meshwork.orchestrator.internal.stream.WatchTest.CollectingStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.LongStream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The firehose's positions and bounded history at the hub, without an engine: events are published
 * by hand, and sessions drain on the publishing thread, so every assertion is deterministic.
 */
class RunEventHubTest {

  private static final long START = 1_000;
  private static final int HISTORY = 4;

  private final H2RunStore store = H2RunStore.inMemory("hub-" + UUID.randomUUID());

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void onEvents_positions_followTheStartPositionWithoutGaps() {
    RunEventHub hub = hub(START);
    CollectingStream all = new CollectingStream();
    hub.watchRuns(RunFilter.ALL, 0, all);

    publish(hub, "a", "blue", 2);
    publish(hub, "b", "red", 1);

    assertThat(all.positions).containsExactly(1_001L, 1_002L, 1_003L);
    assertThat(all.events).extracting(RunEvent::getRunId).containsExactly("a", "a", "b");
    assertThat(hub.lastPosition()).isEqualTo(1_003);
  }

  @Test
  void watchRuns_afterHeldPosition_replaysMatchingThenTailsLive() {
    RunEventHub hub = hub(START);
    publish(hub, "a", "blue", 1); // 1001
    publish(hub, "b", "red", 1); // 1002
    publish(hub, "a", "blue", 1); // 1003
    CollectingStream blue = new CollectingStream();

    hub.watchRuns(blue(), 1_001, blue);
    publish(hub, "c", "blue", 1); // 1004, live

    assertThat(blue.positions).containsExactly(1_003L, 1_004L);
    assertThat(blue.events).extracting(RunEvent::getRunId).containsExactly("a", "c");
    assertThat(blue.ended()).isFalse();
  }

  @Test
  void watchRuns_atLatestPosition_sendsOnlyLiveEvents() {
    RunEventHub hub = hub(START);
    publish(hub, "a", "blue", 3);
    CollectingStream stream = new CollectingStream();

    hub.watchRuns(RunFilter.ALL, 1_003, stream);
    publish(hub, "a", "blue", 1);

    assertThat(stream.positions).containsExactly(1_004L);
  }

  @Test
  void watchRuns_oldestResumablePosition_replaysTheWholeHistory() {
    RunEventHub hub = hub(START);
    publish(hub, "a", "blue", 6); // 1001..1006; positions 1003..1006 are held
    CollectingStream stream = new CollectingStream();

    hub.watchRuns(RunFilter.ALL, 1_002, stream);

    assertThat(stream.positions)
        .containsExactlyElementsOf(LongStream.rangeClosed(1_003, 1_006).boxed().toList());
  }

  @Test
  void watchRuns_positionOlderThanHistory_outOfRangeCompacted() {
    RunEventHub hub = hub(START);
    publish(hub, "a", "blue", 6);

    MeshException e = outOfRange(() -> hub.watchRuns(RunFilter.ALL, 1_001, new CollectingStream()));

    assertThat(e.reason()).isEqualTo("POSITION_COMPACTED");
    assertThat(e.getMessage()).contains("oldest kept: 1002");
    assertThat(hub.subscribers()).isZero();
  }

  @Test
  void watchRuns_positionFromBeforeRestart_outOfRangeCompacted() {
    RunEventHub before = hub(START);
    publish(before, "a", "blue", 2);
    RunEventHub restarted = hub(2_000);
    publish(restarted, "a", "blue", 1);

    MeshException e =
        outOfRange(() -> restarted.watchRuns(RunFilter.ALL, 1_002, new CollectingStream()));

    assertThat(e.reason()).isEqualTo("POSITION_COMPACTED");
  }

  @Test
  void watchRuns_positionNotGivenOutYet_outOfRangeUnknown() {
    RunEventHub hub = hub(START);
    publish(hub, "a", "blue", 2);

    MeshException e = outOfRange(() -> hub.watchRuns(RunFilter.ALL, 1_003, new CollectingStream()));

    assertThat(e.reason()).isEqualTo("POSITION_UNKNOWN");
    assertThat(e.getMessage()).contains("latest position 1002");
  }

  @Test
  void watchRuns_negativePosition_invalidArgument() {
    RunEventHub hub = hub(START);

    assertThatThrownBy(() -> hub.watchRuns(RunFilter.ALL, -1, new CollectingStream()))
        .isInstanceOfSatisfying(
            MeshException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
  }

  @Test
  void watchRuns_slowResumer_cutOffNamingTheLastPositionItGot() {
    RunEventHub hub = new RunEventHub(store, Runnable::run, 2, 100, START);
    publish(hub, "a", "blue", 5);
    CollectingStream slow = new CollectingStream();
    slow.ready.set(false);
    hub.watchRuns(RunFilter.ALL, 1_002, slow);

    publish(hub, "a", "blue", 3); // more than the 2 it may lag behind

    assertThat(slow.error.get().reason()).isEqualTo("SLOW_SUBSCRIBER");
    assertThat(slow.error.get().getMessage()).contains("after_position=1002");
    assertThat(hub.subscribers()).isZero();
  }

  @Test
  void watchRun_failedThenRetriedRun_replaysPastTheFirstTerminalEventToTheLast() {
    List<RunEventType> types =
        List.of(
            RunEventType.RUN_EVENT_TYPE_RUN_SUBMITTED,
            RunEventType.RUN_EVENT_TYPE_RUN_STARTED,
            RunEventType.RUN_EVENT_TYPE_RUN_FAILED,
            RunEventType.RUN_EVENT_TYPE_RUN_RETRIED,
            RunEventType.RUN_EVENT_TYPE_RUN_COMPLETED);
    storeRun("r", types);
    CollectingStream watcher = new CollectingStream();

    hub(START).watchRun("r", 0, watcher);

    assertThat(watcher.events).extracting(RunEvent::getType).containsExactlyElementsOf(types);
    assertThat(watcher.completions).hasValue(1);
  }

  @Test
  void watchRun_moreEventsThanAReplayPage_replaysEveryEventInOrderThenEnds() {
    int count = 2 * WatchSession.REPLAY_PAGE + 10;
    storeRun("r", stepEventsThenCompleted(count));
    CollectingStream watcher = new CollectingStream();

    hub(START).watchRun("r", 3, watcher);

    assertThat(watcher.events)
        .extracting(RunEvent::getSequence)
        .containsExactlyElementsOf(LongStream.rangeClosed(4, count).boxed().toList());
    assertThat(watcher.completions).hasValue(1);
  }

  @Test
  void watchRun_terminalEventLastOfAFullPage_ends() {
    storeRun("r", stepEventsThenCompleted(WatchSession.REPLAY_PAGE));
    CollectingStream watcher = new CollectingStream();
    RunEventHub hub = hub(START);

    hub.watchRun("r", 0, watcher);

    assertThat(watcher.events).hasSize(WatchSession.REPLAY_PAGE);
    assertThat(watcher.completions).hasValue(1);
    assertThat(hub.subscribers()).isZero();
  }

  @Test
  void watchRun_caughtUpWithARunningRun_tailsLiveEventsUntilTheTerminalOne() {
    storeRun("r", List.of(RunEventType.RUN_EVENT_TYPE_RUN_SUBMITTED));
    CollectingStream watcher = new CollectingStream();
    RunEventHub hub = hub(START);

    hub.watchRun("r", 1, watcher);
    assertThat(watcher.events).isEmpty();
    assertThat(hub.subscribers()).isOne();
    Run finished = storeEvents("r", 2, List.of(RunEventType.RUN_EVENT_TYPE_RUN_COMPLETED));
    hub.onEvents(finished, List.of(event("r", 2, RunEventType.RUN_EVENT_TYPE_RUN_COMPLETED)));

    assertThat(watcher.events).extracting(RunEvent::getSequence).containsExactly(2L);
    assertThat(watcher.completions).hasValue(1);
    assertThat(hub.subscribers()).isZero();
  }

  @Test
  void watchRun_unknownRunOrSequencePastTheLast_failsAndLeavesNoSubscriber() {
    storeRun("r", List.of(RunEventType.RUN_EVENT_TYPE_RUN_SUBMITTED));
    RunEventHub hub = hub(START);

    assertThatThrownBy(() -> hub.watchRun("nope", 0, new CollectingStream()))
        .isInstanceOfSatisfying(
            MeshException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
    outOfRange(() -> hub.watchRun("r", 2, new CollectingStream()));

    assertThat(hub.subscribers()).isZero();
  }

  private RunEventHub hub(long start) {
    // Sessions drain on the calling thread.
    return new RunEventHub(store, Runnable::run, 64, HISTORY, start);
  }

  private static RunFilter blue() {
    return new RunFilter(Set.of(), "", Map.of("team", "blue"));
  }

  /** Publishes {@code count} events of a run labelled {@code team}. */
  private static void publish(RunEventHub hub, String runId, String team, int count) {
    Run run =
        Run.newBuilder()
            .setRunId(runId)
            .setState(RunState.RUN_STATE_WORKING)
            .setWorkflow(WorkflowSpec.newBuilder().setName("w"))
            .putLabels("team", team)
            .build();
    List<RunEvent> events =
        LongStream.rangeClosed(1, count)
            .mapToObj(
                i ->
                    RunEvent.newBuilder()
                        .setRunId(runId)
                        .setSequence(i)
                        .setType(RunEventType.RUN_EVENT_TYPE_STEP_STARTED)
                        .build())
            .toList();
    hub.onEvents(run, events);
  }

  private static List<RunEventType> stepEventsThenCompleted(int count) {
    List<RunEventType> types = new ArrayList<>();
    types.add(RunEventType.RUN_EVENT_TYPE_RUN_SUBMITTED);
    while (types.size() < count - 1) {
      types.add(RunEventType.RUN_EVENT_TYPE_STEP_STARTED);
    }
    types.add(RunEventType.RUN_EVENT_TYPE_RUN_COMPLETED);
    return types;
  }

  /** Stores a run whose events have {@code types}, from sequence 1. */
  private void storeRun(String runId, List<RunEventType> types) {
    Run created = run(runId, 1, types.get(0));
    store.create(created, List.of(event(runId, 1, types.get(0))));
    if (types.size() > 1) {
      storeEvents(runId, 2, types.subList(1, types.size()));
    }
  }

  /** Appends events of {@code types} from sequence {@code first}; returns the run after them. */
  private Run storeEvents(String runId, long first, List<RunEventType> types) {
    List<RunEvent> events = new ArrayList<>();
    for (int i = 0; i < types.size(); i++) {
      events.add(event(runId, first + i, types.get(i)));
    }
    long last = first + types.size() - 1;
    Run run = run(runId, last, types.get(types.size() - 1));
    store.append(run, events);
    return run;
  }

  private static Run run(String runId, long lastSequence, RunEventType lastType) {
    RunState state =
        switch (lastType) {
          case RUN_EVENT_TYPE_RUN_SUBMITTED -> RunState.RUN_STATE_SUBMITTED;
          case RUN_EVENT_TYPE_RUN_COMPLETED -> RunState.RUN_STATE_COMPLETED;
          case RUN_EVENT_TYPE_RUN_FAILED -> RunState.RUN_STATE_FAILED;
          default -> RunState.RUN_STATE_WORKING;
        };
    return Run.newBuilder()
        .setRunId(runId)
        .setState(state)
        .setLastSequence(lastSequence)
        .setWorkflow(WorkflowSpec.newBuilder().setName("w"))
        .setCreateTime(Timestamps.fromMillis(1))
        .build();
  }

  private static RunEvent event(String runId, long sequence, RunEventType type) {
    return RunEvent.newBuilder().setRunId(runId).setSequence(sequence).setType(type).build();
  }

  /** Asserts that {@code call} fails with OUT_OF_RANGE and returns the failure. */
  private static MeshException outOfRange(ThrowingCallable call) {
    MeshException e = catchThrowableOfType(MeshException.class, call);
    assertThat(e).isNotNull();
    assertThat(e.code()).isEqualTo(ErrorCode.OUT_OF_RANGE);
    return e;
  }
}
