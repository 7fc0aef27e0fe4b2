package dev.meshwork.gateway;

import static dev.meshwork.gateway.testing.GatewayFixture.ADMIN_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.common.ResponseHeaders;
import dev.meshwork.api.orchestrator.v1.RunEventType;
import dev.meshwork.gateway.testing.GatewayFixture;
import dev.meshwork.gateway.testing.SseClient;
import dev.meshwork.gateway.testing.SseClient.Event;
import io.grpc.Status;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The streaming routes as server-sent events: event shape, resume with Last-Event-ID after a
 * dropped connection (nothing missed, nothing twice; one run and the firehose), the end of a run,
 * errors before and during a stream, heartbeats, and a dropped client cancelling its upstream
 * watch.
 */
class SseRoutesTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private GatewayFixture gw;

  @BeforeEach
  void start(@TempDir Path dir) {
    gw = GatewayFixture.start(dir, b -> b.heartbeat(Duration.ofMillis(200)));
  }

  @AfterEach
  void stop() throws Exception {
    gw.close();
  }

  @Test
  void watchRun_events_haveSequenceIdTypeAndProtoJsonData() throws Exception {
    gw.runStatus.append("r1", RunEventType.RUN_EVENT_TYPE_RUN_SUBMITTED, "");
    gw.runStatus.append("r1", RunEventType.RUN_EVENT_TYPE_STEP_STARTED, "fetch");

    try (SseClient sse = open("/v1/runs/r1/events", null)) {
      ResponseHeaders headers = sse.headers();
      List<Event> events = sse.next(2);

      assertThat(headers.status().code()).isEqualTo(200);
      assertThat(headers.contentType().is(MediaType.EVENT_STREAM)).isTrue();
      assertThat(events).extracting(Event::id).containsExactly("1", "2");
      assertThat(events).extracting(Event::type)
          .containsExactly("RUN_EVENT_TYPE_RUN_SUBMITTED", "RUN_EVENT_TYPE_STEP_STARTED");
      JsonNode data = JSON.readTree(events.get(1).data());
      assertThat(data.at("/event/runId").asText()).isEqualTo("r1");
      assertThat(data.at("/event/stepId").asText()).isEqualTo("fetch");
      assertThat(data.at("/event/sequence").asText()).isEqualTo("2");
    }
  }

  @Test
  void watchRun_resumeAfterDroppedConnection_missesNothingAndRepeatsNothing() throws Exception {
    for (int i = 0; i < 3; i++) {
      gw.runStatus.append("r1", RunEventType.RUN_EVENT_TYPE_STEP_STARTED, "s" + i);
    }
    List<String> seen = new ArrayList<>();
    SseClient first = open("/v1/runs/r1/events", null);
    first.next(3).forEach(e -> seen.add(e.id()));
    await().until(() -> gw.runStatus.openWatches() == 1);

    first.close(); // the browser loses its connection
    await().atMost(Duration.ofSeconds(5)).until(() -> gw.runStatus.openWatches() == 0);
    gw.runStatus.append("r1", RunEventType.RUN_EVENT_TYPE_STEP_COMPLETED, "s0");
    gw.runStatus.append("r1", RunEventType.RUN_EVENT_TYPE_STEP_COMPLETED, "s1");

    try (SseClient second = open("/v1/runs/r1/events", seen.get(seen.size() - 1))) {
      second.next(2).forEach(e -> seen.add(e.id()));
      await().until(() -> gw.runStatus.openWatches() == 1);
      gw.runStatus.append("r1", RunEventType.RUN_EVENT_TYPE_STEP_COMPLETED, "s2");
      gw.runStatus.append("r1", RunEventType.RUN_EVENT_TYPE_RUN_COMPLETED, "");
      second.next(2).forEach(e -> seen.add(e.id()));
      Event end = second.next();

      assertThat(seen).containsExactly("1", "2", "3", "4", "5", "6", "7");
      assertThat(end.type()).isEqualTo("end");
      assertThat(end.id()).isNull();
      second.awaitEnd();
    }
    assertThat(gw.runStatus.watchRequests()).extracting(r -> r.getAfterSequence())
        .containsExactly(0L, 3L);
  }

  @Test
  void watchRun_afterQueryParameter_resumesLikeLastEventId() throws Exception {
    for (int i = 0; i < 4; i++) {
      gw.runStatus.append("r1", RunEventType.RUN_EVENT_TYPE_STEP_STARTED, "s" + i);
    }

    try (SseClient sse = open("/v1/runs/r1/events?after=2", null)) {
      assertThat(sse.next(2)).extracting(Event::id).containsExactly("3", "4");
    }
  }

  @Test
  void watchRun_terminatedRun_replaysThenEnds() throws Exception {
    gw.runStatus.append("r1", RunEventType.RUN_EVENT_TYPE_RUN_SUBMITTED, "");
    gw.runStatus.append("r1", RunEventType.RUN_EVENT_TYPE_RUN_COMPLETED, "");

    try (SseClient sse = open("/v1/runs/r1/events", null)) {
      List<Event> events = sse.next(3);

      assertThat(events).extracting(Event::type)
          .containsExactly("RUN_EVENT_TYPE_RUN_SUBMITTED", "RUN_EVENT_TYPE_RUN_COMPLETED", "end");
      sse.awaitEnd();
    }
  }

  @Test
  void watchRun_unknownRun_returns404JsonNotAStream() throws Exception {
    try (SseClient sse = open("/v1/runs/ghost/events", null)) {
      ResponseHeaders headers = sse.headers();
      sse.awaitEnd();

      assertThat(headers.status().code()).isEqualTo(404);
      assertThat(headers.contentType().is(MediaType.JSON)).isTrue();
      assertThat(JSON.readTree(sse.body()).get("reason").asText()).isEqualTo("RUN_NOT_FOUND");
    }
  }

  @Test
  void watchRun_badLastEventId_returns400NamingIt() throws Exception {
    gw.runStatus.create("r1");

    try (SseClient sse = open("/v1/runs/r1/events", "r1:7")) {
      sse.awaitEnd();

      assertThat(sse.headers().status().code()).isEqualTo(400);
      assertThat(JSON.readTree(sse.body()).at("/fieldViolations/0/field").asText())
          .isEqualTo("Last-Event-ID");
    }
  }

  @Test
  void watchRun_upstreamFailsMidStream_sendsErrorEventAndCloses() throws Exception {
    gw.runStatus.append("r1", RunEventType.RUN_EVENT_TYPE_RUN_STARTED, "");

    try (SseClient sse = open("/v1/runs/r1/events", null)) {
      sse.next();
      await().until(() -> gw.runStatus.openWatches() == 1);
      gw.runStatus.breakWatches("r1", Status.UNAVAILABLE.withDescription("orchestrator restarting"));
      Event error = sse.next();

      assertThat(error.type()).isEqualTo("error");
      assertThat(JSON.readTree(error.data()).get("code").asText()).isEqualTo("UNAVAILABLE");
      sse.awaitEnd();
    }
  }

  @Test
  void watchRun_quietStream_getsHeartbeatComments() throws Exception {
    gw.runStatus.create("r1");

    try (SseClient sse = open("/v1/runs/r1/events", null)) {
      assertThat(sse.headers().status().code()).isEqualTo(200);

      await().atMost(Duration.ofSeconds(5)).until(() -> sse.comments().contains("heartbeat"));
    }
  }

  @Test
  void watchRun_clientGoesAway_cancelsUpstreamWatch() throws Exception {
    gw.runStatus.create("r1");
    SseClient sse = open("/v1/runs/r1/events", null);
    await().until(() -> gw.runStatus.openWatches() == 1);

    sse.close();

    await().atMost(Duration.ofSeconds(5)).until(() -> gw.runStatus.openWatches() == 0);
  }

  @Test
  void watchRuns_firehose_idsArePositions() throws Exception {
    try (SseClient sse = open("/v1/run-events", null)) {
      await().until(() -> gw.runStatus.openFirehoses() == 1);
      gw.runStatus.append("a", RunEventType.RUN_EVENT_TYPE_RUN_SUBMITTED, "");
      gw.runStatus.append("b", RunEventType.RUN_EVENT_TYPE_RUN_SUBMITTED, "");
      gw.runStatus.append("a", RunEventType.RUN_EVENT_TYPE_RUN_STARTED, "");
      List<Event> events = sse.next(3);

      assertThat(events).extracting(Event::id).containsExactly("1001", "1002", "1003");
      assertThat(events).extracting(Event::type).containsExactly(
          "RUN_EVENT_TYPE_RUN_SUBMITTED", "RUN_EVENT_TYPE_RUN_SUBMITTED",
          "RUN_EVENT_TYPE_RUN_STARTED");
      assertThat(JSON.readTree(events.get(2).data()).at("/position").asText()).isEqualTo("1003");
    }
  }

  @Test
  void watchRuns_resumeAfterDroppedConnection_missesNothingAndRepeatsNothing() throws Exception {
    List<String> seen = new ArrayList<>();
    List<String> runs = new ArrayList<>();
    SseClient first = open("/v1/run-events", null);
    await().until(() -> gw.runStatus.openFirehoses() == 1);
    gw.runStatus.append("a", RunEventType.RUN_EVENT_TYPE_RUN_SUBMITTED, "");
    gw.runStatus.append("b", RunEventType.RUN_EVENT_TYPE_RUN_SUBMITTED, "");
    for (Event e : first.next(2)) {
      seen.add(e.id());
      runs.add(JSON.readTree(e.data()).at("/event/runId").asText());
    }

    first.close(); // the dashboard loses its connection while runs go on
    await().atMost(Duration.ofSeconds(5)).until(() -> gw.runStatus.openFirehoses() == 0);
    gw.runStatus.append("a", RunEventType.RUN_EVENT_TYPE_RUN_STARTED, "");
    gw.runStatus.append("b", RunEventType.RUN_EVENT_TYPE_RUN_STARTED, "");

    try (SseClient second = open("/v1/run-events", seen.get(seen.size() - 1))) {
      List<Event> replayed = second.next(2);
      await().until(() -> gw.runStatus.openFirehoses() == 1);
      gw.runStatus.append("a", RunEventType.RUN_EVENT_TYPE_RUN_COMPLETED, "");
      List<Event> live = second.next(1);
      for (Event e : concat(replayed, live)) {
        seen.add(e.id());
        runs.add(JSON.readTree(e.data()).at("/event/runId").asText());
      }
    }

    assertThat(seen).containsExactly("1001", "1002", "1003", "1004", "1005");
    assertThat(runs).containsExactly("a", "b", "a", "b", "a");
    assertThat(gw.runStatus.firehoseRequests()).extracting(r -> r.getAfterPosition())
        .containsExactly(0L, 1002L);
  }

  @Test
  void watchRuns_afterQueryParameter_resumesLikeLastEventId() throws Exception {
    for (int i = 0; i < 3; i++) {
      gw.runStatus.append("r" + i, RunEventType.RUN_EVENT_TYPE_RUN_SUBMITTED, "");
    }

    try (SseClient sse = open("/v1/run-events?after=1001", null)) {
      assertThat(sse.next(2)).extracting(Event::id).containsExactly("1002", "1003");
    }
  }

  @Test
  void watchRuns_positionNoLongerHeld_returns400WithReasonNotAStream() throws Exception {
    gw.runStatus.append("a", RunEventType.RUN_EVENT_TYPE_RUN_SUBMITTED, "");

    try (SseClient compacted = open("/v1/run-events", "7");
        SseClient unknown = open("/v1/run-events", "5000")) {
      compacted.awaitEnd();
      unknown.awaitEnd();

      assertThat(compacted.headers().status().code()).isEqualTo(400);
      JsonNode body = JSON.readTree(compacted.body());
      assertThat(body.get("code").asText()).isEqualTo("OUT_OF_RANGE");
      assertThat(body.get("reason").asText()).isEqualTo("POSITION_COMPACTED");
      assertThat(JSON.readTree(unknown.body()).get("reason").asText())
          .isEqualTo("POSITION_UNKNOWN");
    }
  }

  @Test
  void watchRuns_badLastEventId_returns400NamingIt() throws Exception {
    try (SseClient sse = open("/v1/run-events", "a:2")) {
      sse.awaitEnd();

      assertThat(sse.headers().status().code()).isEqualTo(400);
      assertThat(JSON.readTree(sse.body()).at("/fieldViolations/0/field").asText())
          .isEqualTo("Last-Event-ID");
    }
  }

  @Test
  void watchRuns_unknownFilterParameter_returns400NamingIt() throws Exception {
    try (SseClient sse = open("/v1/run-events?workflow=x", null)) {
      sse.awaitEnd();

      assertThat(JSON.readTree(sse.body()).at("/fieldViolations/0/field").asText())
          .isEqualTo("workflow");
    }
  }

  @Test
  void watchAgentInstances_snapshotSyncedThenLive_withRevisionIds() throws Exception {
    gw.registry.add("i-1", "echo", "text.echo");

    try (SseClient sse = open("/v1/instances:watch", null)) {
      List<Event> first = sse.next(2);
      gw.registry.add("i-2", "echo", "text.echo");
      Event live = sse.next();

      assertThat(first).extracting(Event::type)
          .containsExactly("WATCH_EVENT_TYPE_ADDED", "WATCH_EVENT_TYPE_SYNCED");
      assertThat(live.id()).isEqualTo("2");
      assertThat(JSON.readTree(live.data()).at("/instance/instanceId").asText()).isEqualTo("i-2");
    }
  }

  @Test
  void stream_withoutKey_returns401() throws Exception {
    try (SseClient sse =
        SseClient.open(gw.client(), RequestHeaders.of(HttpMethod.GET, "/v1/runs/r1/events"))) {
      sse.awaitEnd();

      assertThat(sse.headers().status().code()).isEqualTo(401);
    }
  }

  private static List<Event> concat(List<Event> a, List<Event> b) {
    List<Event> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  private SseClient open(String path, String lastEventId) {
    var headers = GatewayFixture.headers(HttpMethod.GET, path, ADMIN_KEY)
        .set("accept", "text/event-stream");
    if (lastEventId != null) {
      headers.set("last-event-id", lastEventId);
    }
    return SseClient.open(gw.client(), headers.build());
  }
}
