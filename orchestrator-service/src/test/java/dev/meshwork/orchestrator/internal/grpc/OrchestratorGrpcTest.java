package dev.meshwork.orchestrator.internal.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.meshwork.api.agent.v1.AgentServiceGrpc;
import dev.meshwork.api.agent.v1.InvokeRequest;
import dev.meshwork.api.agent.v1.InvokeResponse;
import dev.meshwork.api.common.v1.Part;
import dev.meshwork.api.orchestrator.v1.GetRunRequest;
import dev.meshwork.api.orchestrator.v1.ListRunsRequest;
import dev.meshwork.api.orchestrator.v1.ListRunsResponse;
import dev.meshwork.api.orchestrator.v1.OrchestratorServiceGrpc;
import dev.meshwork.api.orchestrator.v1.PutWorkflowRequest;
import dev.meshwork.api.orchestrator.v1.Run;
import dev.meshwork.api.orchestrator.v1.RunEvent;
import dev.meshwork.api.orchestrator.v1.RunEventType;
import dev.meshwork.api.orchestrator.v1.RunState;
import dev.meshwork.api.orchestrator.v1.RunStatusServiceGrpc;
import dev.meshwork.api.orchestrator.v1.StartAndWatchRunRequest;
import dev.meshwork.api.orchestrator.v1.StartAndWatchRunResponse;
import dev.meshwork.api.orchestrator.v1.StartRunRequest;
import dev.meshwork.api.orchestrator.v1.StartRunResponse;
import dev.meshwork.api.orchestrator.v1.WatchRunRequest;
import dev.meshwork.api.orchestrator.v1.WatchRunResponse;
import dev.meshwork.api.orchestrator.v1.WatchRunsRequest;
import dev.meshwork.api.orchestrator.v1.WatchRunsResponse;
import dev.meshwork.core.ErrorCode;
import dev.meshwork.core.FieldViolation;
import dev.meshwork.core.GrpcErrors;
import dev.meshwork.core.MeshException;
import dev.meshwork.core.MeshServer;
import dev.meshwork.core.ServerConfig;
import dev.meshwork.core.Settings;
import dev.meshwork.orchestrator.EventStream;
import dev.meshwork.orchestrator.Orchestrator;
import dev.meshwork.orchestrator.OrchestratorMain;
import dev.meshwork.orchestrator.RunFilter;
import dev.meshwork.orchestrator.Watch;
import dev.meshwork.orchestrator.WorkflowYaml;
import dev.meshwork.orchestrator.internal.engine.EngineConfig;
import dev.meshwork.orchestrator.internal.expr.Values;
import dev.meshwork.orchestrator.internal.store.H2RunStore;
import io.grpc.Context;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The orchestrator as a process serves it (MeshServer in insecure dev mode, real port) calling a
 * real AgentService over gRPC: StartRun, WatchRun, WatchRuns, GetRun, ListRuns and the error
 * mapping.
 */
class OrchestratorGrpcTest {

  private static final String WORKFLOW =
      """
      name: shout
      steps:
        - {id: up, skill: text.upper, input: "{{ input.text }}"}
        - {id: bang, skill: text.bang, depends_on: [up]}
      """;

  private final Server agent;
  private final ManagedChannel agentChannel;
  private final GrpcAgentInvoker invoker;
  private final H2RunStore store = H2RunStore.inMemory("grpc-" + UUID.randomUUID());
  private final Orchestrator orchestrator;
  private final MeshServer server;
  private final ManagedChannel channel;
  private final OrchestratorServiceGrpc.OrchestratorServiceBlockingStub runs;
  private final RunStatusServiceGrpc.RunStatusServiceBlockingStub status;

  OrchestratorGrpcTest() throws Exception {
    String name = InProcessServerBuilder.generateName();
    agent =
        InProcessServerBuilder.forName(name)
            .addService(
                new AgentServiceGrpc.AgentServiceImplBase() {
                  @Override
                  public void invoke(
                      InvokeRequest request, StreamObserver<InvokeResponse> response) {
                    String text = request.getInput(0).getText();
                    String out =
                        request.getSkillId().equals("text.upper") ? text.toUpperCase() : text + "!";
                    response.onNext(
                        InvokeResponse.newBuilder()
                            .addOutput(Part.newBuilder().setText(out))
                            .build());
                    response.onCompleted();
                  }
                })
            .build()
            .start();
    agentChannel = InProcessChannelBuilder.forName(name).build();
    invoker = new GrpcAgentInvoker(skill -> agentChannel);
    orchestrator =
        Orchestrator.builder()
            .store(store)
            .invoker(invoker)
            .config(EngineConfig.builder().maxActiveRuns(50).build())
            .build()
            .start();
    Settings settings = Settings.of(new String[] {"--insecure", "--port", "0"}, Map.of());
    server =
        MeshServer.builder(ServerConfig.fromSettings(settings, 7002, "orchestrator/orchestrator"))
            .addService(new OrchestratorGrpcService(orchestrator))
            .addService(new RunStatusGrpcService(orchestrator))
            .policy(OrchestratorMain.POLICY)
            .build()
            .start();
    channel =
        Grpc.newChannelBuilder("localhost:" + server.port(), InsecureChannelCredentials.create())
            .build();
    runs =
        OrchestratorServiceGrpc.newBlockingStub(channel).withDeadlineAfter(Duration.ofSeconds(10));
    status =
        RunStatusServiceGrpc.newBlockingStub(channel).withDeadlineAfter(Duration.ofSeconds(10));
  }

  @AfterEach
  void close() {
    channel.shutdownNow();
    server.shutdown();
    orchestrator.close();
    invoker.close();
    agentChannel.shutdownNow();
    agent.shutdownNow();
    store.close();
  }

  @Test
  void startRun_thenWatchRun_streamsEveryEventToCompletion() {
    StartRunResponse started =
        runs.startRun(
            StartRunRequest.newBuilder()
                .setWorkflow(WorkflowYaml.parse(WORKFLOW))
                .setInput(Values.toStruct(Map.of("text", "hello")))
                .build());
    String id = started.getRun().getRunId();

    List<RunEvent> events = new ArrayList<>();
    Iterator<WatchRunResponse> stream =
        status.watchRun(WatchRunRequest.newBuilder().setRunId(id).build());
    stream.forEachRemaining(r -> events.add(r.getEvent()));

    assertThat(started.getExisting()).isFalse();
    assertThat(events)
        .extracting(RunEvent::getSequence)
        .containsExactlyElementsOf(LongStream.rangeClosed(1, events.size()).boxed().toList());
    assertThat(events.get(events.size() - 1).getType())
        .isEqualTo(RunEventType.RUN_EVENT_TYPE_RUN_COMPLETED);
    var run = runs.getRun(GetRunRequest.newBuilder().setRunId(id).build()).getRun();
    assertThat(run.getState()).isEqualTo(RunState.RUN_STATE_COMPLETED);
    assertThat(run.getSteps(run.getStepsCount() - 1).getOutput(0).getText()).isEqualTo("HELLO!");
    assertThat(run.getStepsList()).allMatch(s -> s.getAgentInstance().length() > 0);
    var listed = runs.listRuns(ListRunsRequest.newBuilder().setWorkflowName("shout").build());
    assertThat(listed.getRunsList())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.getRunId()).isEqualTo(id);
              assertThat(r.getStepsList()).allMatch(s -> s.getOutputCount() == 0);
            });
  }

  @Test
  void startAndWatchRun_pipeline_startedRunThenEveryEventInOrderToCompletion() {
    List<StartAndWatchRunResponse> responses = new ArrayList<>();
    runs.startAndWatchRun(startAndWatch(shout("hello").setIdempotencyKey("k1")))
        .forEachRemaining(responses::add);

    assertThat(responses.get(0).getKindCase()).isEqualTo(StartAndWatchRunResponse.KindCase.STARTED);
    StartRunResponse started = responses.get(0).getStarted();
    assertThat(started.getExisting()).isFalse();
    String id = started.getRun().getRunId();
    List<RunEvent> events =
        responses.subList(1, responses.size()).stream()
            .map(StartAndWatchRunResponse::getEvent)
            .toList();
    assertThat(events)
        .extracting(RunEvent::getSequence)
        .containsExactlyElementsOf(LongStream.rangeClosed(1, events.size()).boxed().toList());
    assertThat(events).allMatch(e -> e.getRunId().equals(id));
    assertThat(events.get(events.size() - 1).getType())
        .isEqualTo(RunEventType.RUN_EVENT_TYPE_RUN_COMPLETED);
    assertThat(lastSequence(id)).isEqualTo(events.size());
    // The same key again: the existing run, its events replayed from the first.
    List<StartAndWatchRunResponse> again = new ArrayList<>();
    runs.startAndWatchRun(startAndWatch(shout("other").setIdempotencyKey("k1")))
        .forEachRemaining(again::add);
    assertThat(again.get(0).getStarted().getExisting()).isTrue();
    assertThat(again.get(0).getStarted().getRun().getRunId()).isEqualTo(id);
    assertThat(again.subList(1, again.size()))
        .extracting(StartAndWatchRunResponse::getEvent)
        .containsExactlyElementsOf(events);
  }

  @Test
  void startAndWatchRun_invalidWorkflow_invalidArgumentNamingStartRunFields_nothingStored() {
    StartRunRequest.Builder bad =
        StartRunRequest.newBuilder()
            .setWorkflow(
                WorkflowYaml.parse("name: x\nsteps: [{id: a, skill: s, depends_on: [b]}]\n"));

    Iterator<StartAndWatchRunResponse> stream = runs.startAndWatchRun(startAndWatch(bad));

    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, stream::hasNext);
    MeshException mapped = GrpcErrors.fromStatusException(e);
    assertThat(mapped.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(mapped.violations())
        .extracting(FieldViolation::field)
        .containsExactly("workflow.steps[0].depends_on[0]");
    assertThat(runs.listRuns(ListRunsRequest.getDefaultInstance()).getRunsList()).isEmpty();
  }

  @Test
  void startAndWatchRun_clientCancelsAfterStarted_runStillCompletes() throws Exception {
    String id;
    try (Context.CancellableContext call = Context.current().withCancellation()) {
      id =
          call.call(
              () ->
                  runs.startAndWatchRun(startAndWatch(shout("bye")))
                      .next()
                      .getStarted()
                      .getRun()
                      .getRunId());
    }

    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> runs.getRun(GetRunRequest.newBuilder().setRunId(id).build()).getRun().getState(),
            s -> s == RunState.RUN_STATE_COMPLETED);
  }

  @Test
  void watchRuns_afterPosition_replaysWithPositions_badPositionsOutOfRangeWithReason() {
    List<Long> positions = new CopyOnWriteArrayList<>();
    List<RunEvent> live = new CopyOnWriteArrayList<>();
    // A watch registered in-process before the run starts sees every event and its position.
    Watch reference = orchestrator.watchRuns(RunFilter.ALL, 0, collecting(positions, live));
    String id = runToCompletion("hi");
    long events = lastSequence(id);
    await().until(() -> live.size() == events);

    List<WatchRunsResponse> replayed = firehose(positions.get(0), events - 1);
    long last = positions.get(positions.size() - 1);

    assertThat(replayed)
        .extracting(WatchRunsResponse::getPosition)
        .containsExactlyElementsOf(positions.subList(1, positions.size()));
    assertThat(replayed)
        .extracting(WatchRunsResponse::getEvent)
        .containsExactlyElementsOf(live.subList(1, live.size()));
    assertThat(reasonOfWatchRuns(last + 1)).contains("POSITION_UNKNOWN");
    assertThat(reasonOfWatchRuns(1)).contains("POSITION_COMPACTED");
    reference.cancel();
  }

  @Test
  void listRuns_thenWatchRunsFromItsPosition_getsWhatFollowedTheListingOnly() {
    String listedRun = runToCompletion("listed");
    ListRunsResponse listed = runs.listRuns(ListRunsRequest.getDefaultInstance());
    String laterRun = runToCompletion("later");
    long laterEvents = lastSequence(laterRun);

    List<RunEvent> followed =
        firehose(listed.getPosition(), laterEvents).stream()
            .map(WatchRunsResponse::getEvent)
            .toList();

    assertThat(listed.getRunsList()).extracting(Run::getRunId).containsExactly(listedRun);
    assertThat(listed.getPosition()).isPositive();
    assertThat(followed).extracting(RunEvent::getRunId).containsOnly(laterRun);
    assertThat(followed)
        .extracting(RunEvent::getSequence)
        .containsExactlyElementsOf(LongStream.rangeClosed(1, laterEvents).boxed().toList());
  }

  /** The first {@code count} responses of WatchRuns after {@code afterPosition}, then cancels. */
  private List<WatchRunsResponse> firehose(long afterPosition, long count) {
    List<WatchRunsResponse> responses = new ArrayList<>();
    try (Context.CancellableContext call = Context.current().withCancellation()) {
      call.run(
          () -> {
            Iterator<WatchRunsResponse> stream =
                status.watchRuns(
                    WatchRunsRequest.newBuilder().setAfterPosition(afterPosition).build());
            for (long i = 0; i < count; i++) {
              responses.add(stream.next());
            }
          });
    }
    return responses;
  }

  private long lastSequence(String runId) {
    return runs.getRun(GetRunRequest.newBuilder().setRunId(runId).build())
        .getRun()
        .getLastSequence();
  }

  /** Starts a run of the test workflow and follows it to its end; returns its id. */
  private String runToCompletion(String text) {
    String id = runs.startRun(shout(text).build()).getRun().getRunId();
    status.watchRun(WatchRunRequest.newBuilder().setRunId(id).build()).forEachRemaining(r -> {});
    return id;
  }

  /** A StartRun request for the test workflow with {@code text} as input. */
  private static StartRunRequest.Builder shout(String text) {
    return StartRunRequest.newBuilder()
        .setWorkflow(WorkflowYaml.parse(WORKFLOW))
        .setInput(Values.toStruct(Map.of("text", text)));
  }

  private static StartAndWatchRunRequest startAndWatch(StartRunRequest.Builder start) {
    return StartAndWatchRunRequest.newBuilder().setStart(start).build();
  }

  /** The error reason WatchRuns answers {@code afterPosition} with. */
  private Optional<String> reasonOfWatchRuns(long afterPosition) {
    Iterator<WatchRunsResponse> stream =
        status.watchRuns(WatchRunsRequest.newBuilder().setAfterPosition(afterPosition).build());
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, stream::hasNext);
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.OUT_OF_RANGE);
    return GrpcErrors.reasonOf(e);
  }

  /** An always-ready stream collecting firehose events and their positions. */
  private static EventStream collecting(List<Long> positions, List<RunEvent> events) {
    return new EventStream() {
      @Override
      public boolean isReady() {
        return true;
      }

      @Override
      public void send(RunEvent event) {
        throw new AssertionError("a firehose event without a position: " + event);
      }

      @Override
      public void send(RunEvent event, long position) {
        positions.add(position);
        events.add(event);
      }

      @Override
      public void complete() {}

      @Override
      public void fail(MeshException error) {
        throw new AssertionError("the reference watch failed", error);
      }
    };
  }

  @Test
  void startRun_invalidWorkflow_invalidArgumentWithFieldViolations() {
    StartRunRequest bad =
        StartRunRequest.newBuilder()
            .setWorkflow(
                WorkflowYaml.parse("name: x\nsteps: [{id: a, skill: s, depends_on: [b]}]\n"))
            .build();

    assertThatThrownBy(() -> runs.startRun(bad))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              MeshException mapped = GrpcErrors.fromStatusException(e);
              assertThat(mapped.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
              assertThat(mapped.violations())
                  .extracting(FieldViolation::field)
                  .containsExactly("workflow.steps[0].depends_on[0]");
            });
  }

  @Test
  void getRun_unknown_notFoundWithReason() {
    assertThatThrownBy(() -> runs.getRun(GetRunRequest.newBuilder().setRunId("nope").build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(GrpcErrors.reasonOf(e)).contains("RUN_NOT_FOUND"));
  }

  @Test
  void putWorkflow_thenStartByName() {
    var stored =
        runs.putWorkflow(
                PutWorkflowRequest.newBuilder().setWorkflow(WorkflowYaml.parse(WORKFLOW)).build())
            .getWorkflow();

    var started =
        runs.startRun(
            StartRunRequest.newBuilder()
                .setWorkflowName("shout")
                .setInput(Values.toStruct(Map.of("text", "x")))
                .build());

    assertThat(stored.getVersion()).isEqualTo(1);
    assertThat(started.getRun().getWorkflow().getVersion()).isEqualTo(1);
  }
}
