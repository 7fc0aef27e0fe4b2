package dev.meshwork.orchestrator.internal.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.meshwork.api.orchestrator.v1.Run;
import dev.meshwork.api.orchestrator.v1.RunEvent;
import dev.meshwork.api.orchestrator.v1.RunEventType;
import dev.meshwork.api.orchestrator.v1.RunState;
import dev.meshwork.api.orchestrator.v1.StartRunRequest;
import dev.meshwork.core.ErrorCode;
import dev.meshwork.core.MeshException;
import dev.meshwork.orchestrator.AgentResult;
import dev.meshwork.orchestrator.EventStream;
import dev.meshwork.orchestrator.RunFilter;
import dev.meshwork.orchestrator.Watch;
import dev.meshwork.orchestrator.WorkflowYaml;
import dev.meshwork.orchestrator.internal.engine.EngineConfig;
import dev.meshwork.orchestrator.internal.store.H2RunStore;
import dev.meshwork.orchestrator.testing.Harness;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class WatchTest {

  /** Collects what a watch sends (with firehose positions); its readiness is switchable. */
  static final class CollectingStream implements EventStream {
    final List<RunEvent> events = new CopyOnWriteArrayList<>();
    final List<Long> positions = new CopyOnWriteArrayList<>();
    final AtomicInteger completions = new AtomicInteger();
    final AtomicReference<MeshException> error = new AtomicReference<>();
    final AtomicBoolean ready = new AtomicBoolean(true);

    @Override
    public boolean isReady() {
      return ready.get();
    }

    @Override
    public void send(RunEvent event) {
      events.add(event);
    }

    @Override
    public void send(RunEvent event, long position) {
      // Positions first: a reader that sees the event sees its position.
      positions.add(position);
      events.add(event);
    }

    long lastPosition() {
      return positions.get(positions.size() - 1);
    }

    @Override
    public void complete() {
      completions.incrementAndGet();
    }

    @Override
    public void fail(MeshException e) {
      error.set(e);
    }

    boolean ended() {
      return completions.get() > 0 || error.get() != null;
    }
  }

  private static final RunFilter BLUE = new RunFilter(Set.of(), "", Map.of("team", "blue"));
  private static final Pattern RESUME = Pattern.compile("after_position=(\\d+)");

  private static final String PIPELINE =
      """
      name: p
      labels: {team: blue}
      steps:
        - {id: a, skill: s}
        - {id: b, skill: gate, depends_on: [a]}
        - {id: c, skill: s, depends_on: [b]}
        - {id: d, skill: s, depends_on: [c]}
      """;

  @Test
  void watchRun_midRun_replaysThenTailsWithoutGapsOrDuplicates() {
    try (Harness h = new Harness()) {
      List<CompletableFuture<AgentResult>> gates = h.agents.hold("gate");
      int runs = 20;
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < runs; i++) {
        ids.add(h.start(PIPELINE).getRunId());
      }
      await().until(() -> gates.size() == runs);
      List<CollectingStream> streams = new ArrayList<>();
      for (int i = 0; i < runs; i++) {
        CollectingStream stream = new CollectingStream();
        streams.add(stream);
        // Subscribe at different points while the runs finish concurrently.
        h.orchestrator.watchRun(ids.get(i), i % 5, stream);
        gates.get(i).complete(AgentResult.of(List.of()));
      }

      for (int i = 0; i < runs; i++) {
        CollectingStream stream = streams.get(i);
        await().until(stream::ended);
        long after = i % 5;
        long last = h.store.get(ids.get(i)).orElseThrow().getLastSequence();
        assertThat(stream.error.get()).isNull();
        assertThat(stream.completions).hasValue(1);
        assertThat(stream.events)
            .extracting(RunEvent::getSequence)
            .containsExactlyElementsOf(LongStream.rangeClosed(after + 1, last).boxed().toList());
        assertThat(stream.events.get(stream.events.size() - 1).getType())
            .isEqualTo(RunEventType.RUN_EVENT_TYPE_RUN_COMPLETED);
      }
      await().until(() -> h.orchestrator.activeRuns() == 0);
    }
  }

  @Test
  void watchRun_finishedRun_replaysAllAndEnds() {
    try (Harness h = new Harness()) {
      String id = h.start("name: a\nsteps: [{id: a, skill: s}]\n").getRunId();
      h.awaitState(id, RunState.RUN_STATE_COMPLETED);
      CollectingStream all = new CollectingStream();
      CollectingStream none = new CollectingStream();
      long last = h.store.get(id).orElseThrow().getLastSequence();

      h.orchestrator.watchRun(id, 0, all);
      h.orchestrator.watchRun(id, last, none);

      await().until(all::ended);
      assertThat(all.events)
          .extracting(RunEvent::getSequence)
          .containsExactlyElementsOf(LongStream.rangeClosed(1, last).boxed().toList());
      assertThat(none.completions).hasValue(1);
      assertThat(none.events).isEmpty();
    }
  }

  @Test
  void watchRun_badRequests_notFoundAndOutOfRange() {
    try (Harness h = new Harness()) {
      String id = h.start("name: a\nsteps: [{id: a, skill: s}]\n").getRunId();
      h.awaitState(id, RunState.RUN_STATE_COMPLETED);

      assertThatThrownBy(() -> h.orchestrator.watchRun("nope", 0, new CollectingStream()))
          .isInstanceOfSatisfying(
              MeshException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
      assertThatThrownBy(() -> h.orchestrator.watchRun(id, 999, new CollectingStream()))
          .isInstanceOfSatisfying(
              MeshException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.OUT_OF_RANGE));
    }
  }

  @Test
  void watchRun_slowSubscriber_cutOffWithResourceExhausted_engineNotStalled() {
    try (Harness h =
        new Harness(
            EngineConfig.builder().build(), H2RunStore.inMemory("w" + UUID.randomUUID()), 4)) {
      CompletableFuture<AgentResult> gate = new CompletableFuture<>();
      h.agents.on("gate", c -> gate);
      String id = h.start(PIPELINE).getRunId();
      await().until(() -> h.agents.calls("gate").size() == 1);
      CollectingStream slow = new CollectingStream();
      slow.ready.set(false); // the client stopped reading
      h.orchestrator.watchRun(id, 0, slow);

      gate.complete(AgentResult.of(List.of()));

      // The engine finished the run although the subscriber never read a thing.
      Run done = h.awaitState(id, RunState.RUN_STATE_COMPLETED);
      await().until(slow::ended);
      assertThat(slow.error.get().code()).isEqualTo(ErrorCode.RESOURCE_EXHAUSTED);
      assertThat(slow.error.get().reason()).isEqualTo("SLOW_SUBSCRIBER");
      assertThat(slow.error.get().getMessage()).contains("after_sequence=0");
      assertThat(slow.events).isEmpty();
      // Resuming where it was cut off gets everything.
      CollectingStream resumed = new CollectingStream();
      h.orchestrator.watchRun(id, 0, resumed);
      await().until(resumed::ended);
      assertThat(resumed.events).hasSize((int) done.getLastSequence());
    }
  }

  @Test
  void watchRuns_filter_onlyMatchingRunsLive_slowOneCutOff() {
    try (Harness h =
        new Harness(
            EngineConfig.builder().build(), H2RunStore.inMemory("w" + UUID.randomUUID()), 32)) {
      CollectingStream blue = new CollectingStream();
      CollectingStream stuck = new CollectingStream();
      stuck.ready.set(false);
      Watch watch = h.orchestrator.watchRuns(BLUE, 0, blue);
      h.orchestrator.watchRuns(RunFilter.ALL, 0, stuck);
      h.agents.answer("gate", "ok");

      String blueRun = h.start(PIPELINE).getRunId();
      List<String> redRuns = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        redRuns.add(
            h.orchestrator
                .startRun(
                    StartRunRequest.newBuilder()
                        .setWorkflow(WorkflowYaml.parse(PIPELINE.replace("blue", "red")))
                        .build())
                .run()
                .getRunId());
      }
      h.awaitState(blueRun, RunState.RUN_STATE_COMPLETED);
      redRuns.forEach(id -> h.awaitState(id, RunState.RUN_STATE_COMPLETED));

      long blueEvents = h.store.get(blueRun).orElseThrow().getLastSequence();
      await().until(() -> blue.events.size() == blueEvents);
      assertThat(blue.events).extracting(RunEvent::getRunId).containsOnly(blueRun);
      assertThat(blue.ended()).isFalse();
      // Five runs make more events than the 32 a subscriber may lag behind.
      await().until(stuck::ended);
      assertThat(stuck.error.get().reason()).isEqualTo("SLOW_SUBSCRIBER");
      watch.cancel();
      // It never got an event, yet the cut-off names a position that replays all it missed.
      Matcher resume = RESUME.matcher(stuck.error.get().getMessage());
      assertThat(resume.find()).as(stuck.error.get().getMessage()).isTrue();
      CollectingStream resumed = new CollectingStream();
      Watch again =
          h.orchestrator.watchRuns(RunFilter.ALL, Long.parseLong(resume.group(1)), resumed);
      long total =
          h.store.get(blueRun).orElseThrow().getLastSequence()
              + redRuns.stream()
                  .mapToLong(id -> h.store.get(id).orElseThrow().getLastSequence())
                  .sum();
      await().until(() -> resumed.events.size() == total);
      assertThat(resumed.positions).isSorted().doesNotHaveDuplicates();
      again.cancel();
    }
  }

  @Test
  void watchRuns_resumeAfterDroppedStream_replaysExactlyMissedMatchingEvents_noDuplicates() {
    try (Harness h = new Harness()) {
      List<CompletableFuture<AgentResult>> gates = h.agents.hold("gate");
      CollectingStream everything = new CollectingStream(); // the reference, never dropped
      Watch reference = h.orchestrator.watchRuns(RunFilter.ALL, 0, everything);
      CollectingStream first = new CollectingStream();
      Watch dropped = h.orchestrator.watchRuns(BLUE, 0, first);
      List<String> blueRuns = new CopyOnWriteArrayList<>();
      blueRuns.add(h.start(PIPELINE).getRunId());
      String red = h.start(PIPELINE.replace("blue", "red")).getRunId();
      await().until(() -> gates.size() == 2); // both runs wait in step b
      // Step b's start may be committed after its call went out: compare with the store each time.
      await()
          .until(
              () ->
                  first.events.size()
                      == h.store.get(blueRuns.get(0)).orElseThrow().getLastSequence());

      dropped.cancel(); // the dashboard's connection drops
      long resumeAfter = first.lastPosition();
      gates.forEach(g -> g.complete(AgentResult.of(List.of())));
      h.agents.answer("gate", "ok"); // later runs pass straight through
      blueRuns.add(h.start(PIPELINE).getRunId()); // starts and ends while nobody watches blue
      h.awaitState(red, RunState.RUN_STATE_COMPLETED);
      blueRuns.forEach(id -> h.awaitState(id, RunState.RUN_STATE_COMPLETED));
      CollectingStream second = new CollectingStream();
      Watch resumed = h.orchestrator.watchRuns(BLUE, resumeAfter, second);
      blueRuns.add(h.start(PIPELINE).getRunId()); // live after the replay
      h.awaitState(blueRuns.get(2), RunState.RUN_STATE_COMPLETED);

      long allEvents =
          LongStream.concat(
                  blueRuns.stream()
                      .mapToLong(id -> h.store.get(id).orElseThrow().getLastSequence()),
                  LongStream.of(h.store.get(red).orElseThrow().getLastSequence()))
              .sum();
      await().until(() -> everything.events.size() == allEvents);
      List<Long> expected = new ArrayList<>();
      for (int i = 0; i < everything.events.size(); i++) {
        if (everything.positions.get(i) > resumeAfter
            && blueRuns.contains(everything.events.get(i).getRunId())) {
          expected.add(everything.positions.get(i));
        }
      }
      await().until(() -> second.events.size() >= expected.size());
      assertThat(second.positions).containsExactlyElementsOf(expected);
      assertThat(second.events).extracting(RunEvent::getRunId).doesNotContain(red);
      assertThat(second.error.get()).isNull();
      // Across the drop, every blue run's events arrived once each, in order.
      List<RunEvent> seen = new ArrayList<>(first.events);
      seen.addAll(second.events);
      for (String id : blueRuns) {
        assertThat(seen.stream().filter(e -> e.getRunId().equals(id)))
            .extracting(RunEvent::getSequence)
            .containsExactlyElementsOf(
                LongStream.rangeClosed(1, h.store.get(id).orElseThrow().getLastSequence())
                    .boxed()
                    .toList());
      }
      assertThat(everything.positions).isSorted().doesNotHaveDuplicates();
      resumed.cancel();
      reference.cancel();
    }
  }

  @Test
  void watchRuns_afterRestart_positionsKeepGrowingAndOldOnesAreCompacted() {
    long before;
    try (Harness h = new Harness()) {
      CollectingStream stream = new CollectingStream();
      h.orchestrator.watchRuns(RunFilter.ALL, 0, stream);
      String id = h.start("name: a\nsteps: [{id: a, skill: s}]\n").getRunId();
      long events = h.awaitState(id, RunState.RUN_STATE_COMPLETED).getLastSequence();
      await().until(() -> stream.events.size() == events);
      before = stream.lastPosition();
    }
    try (Harness restarted = new Harness()) {
      CollectingStream stream = new CollectingStream();
      restarted.orchestrator.watchRuns(RunFilter.ALL, 0, stream);
      restarted.start("name: a\nsteps: [{id: a, skill: s}]\n");
      await().until(() -> !stream.events.isEmpty());

      assertThat(stream.positions.get(0)).isGreaterThan(before);
      assertThatThrownBy(
              () -> restarted.orchestrator.watchRuns(RunFilter.ALL, before, new CollectingStream()))
          .isInstanceOfSatisfying(
              MeshException.class,
              e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.OUT_OF_RANGE);
                assertThat(e.reason()).isEqualTo("POSITION_COMPACTED");
              });
    }
  }
}
