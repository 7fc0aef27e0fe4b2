package dev.meshwork.gateway;

import static dev.meshwork.gateway.testing.GatewayFixture.ADMIN_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.util.JsonFormat;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.MediaType;
import dev.meshwork.api.orchestrator.v1.GetRunResponse;
import dev.meshwork.api.orchestrator.v1.Run;
import dev.meshwork.api.orchestrator.v1.RunState;
import dev.meshwork.api.orchestrator.v1.StartRunResponse;
import dev.meshwork.gateway.testing.GatewayFixture;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every unary route the contracts annotate, over HTTP/JSON against in-process fakes: the happy
 * path, and the error shapes clients rely on (400 naming the field, 404, upstream reasons).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TranscodedRoutesTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private GatewayFixture gw;

  @BeforeAll
  void start(@TempDir Path dir) {
    gw = GatewayFixture.start(dir);
    gw.orchestrator.put(
        Run.newBuilder().setRunId("r-failed").setState(RunState.RUN_STATE_FAILED).build());
    gw.orchestrator.put(
        Run.newBuilder().setRunId("r-done").setState(RunState.RUN_STATE_COMPLETED).build());
    gw.registry.add("i-1", "text-analysis", "text.summarize");
    gw.registry.add("i-2", "keywords", "text.keywords");
  }

  @AfterAll
  void stop() throws Exception {
    gw.close();
  }

  @Test
  void startRun_validBody_returnsRunAsProtoJson() throws Exception {
    AggregatedHttpResponse res =
        gw.post(
            "/v1/runs",
            ADMIN_KEY,
            "{\"workflowName\":\"summarize\",\"input\":{\"text\":\"hi\"},\"labels\":{\"team\":\"a\"}}");

    assertThat(res.status().code()).isEqualTo(200);
    assertThat(res.contentType().is(MediaType.JSON)).isTrue();
    StartRunResponse.Builder parsed = StartRunResponse.newBuilder();
    JsonFormat.parser().merge(res.contentUtf8(), parsed);
    assertThat(parsed.getRun().getRunId()).startsWith("run-");
    assertThat(parsed.getRun().getLabelsMap()).containsEntry("team", "a");
    assertThat(gw.orchestrator.started()).last()
        .satisfies(r -> assertThat(r.getWorkflowName()).isEqualTo("summarize"));
  }

  @Test
  void startRun_protoFieldNames_areAcceptedToo() {
    AggregatedHttpResponse res =
        gw.post("/v1/runs", ADMIN_KEY, "{\"workflow_name\":\"summarize\",\"idempotency_key\":\"k1\"}");

    assertThat(res.status().code()).isEqualTo(200);
    assertThat(gw.orchestrator.started()).last()
        .satisfies(r -> assertThat(r.getIdempotencyKey()).isEqualTo("k1"));
  }

  @Test
  void startRun_unknownField_returns400NamingIt() throws Exception {
    JsonNode body = error(gw.post("/v1/runs", ADMIN_KEY, "{\"workflowName\":\"x\",\"bogus\":1}"), 400);

    assertThat(body.get("code").asText()).isEqualTo("INVALID_ARGUMENT");
    assertThat(body.at("/fieldViolations/0/field").asText()).isEqualTo("bogus");
  }

  @Test
  void startRun_wrongTypeDeepInside_returns400WithFieldPath() throws Exception {
    JsonNode body =
        error(
            gw.post(
                "/v1/runs",
                ADMIN_KEY,
                "{\"workflow\":{\"name\":\"w\",\"steps\":[{\"id\":\"a\",\"retry\":{\"maxAttempts\":\"lots\"}}]}}"),
            400);

    assertThat(body.at("/fieldViolations/0/field").asText())
        .isEqualTo("workflow.steps[0].retry.max_attempts");
    assertThat(body.at("/fieldViolations/0/description").asText()).contains("int32");
  }

  @Test
  void startRun_malformedJson_returns400Malformed() throws Exception {
    JsonNode body = error(gw.post("/v1/runs", ADMIN_KEY, "{\"workflowName\": "), 400);

    assertThat(body.get("reason").asText()).isEqualTo("MALFORMED_JSON");
    assertThat(body.at("/fieldViolations/0/field").asText()).isEqualTo("body");
  }

  @Test
  void startRun_upstreamFieldViolations_reachTheClient() throws Exception {
    JsonNode body = error(gw.post("/v1/runs", ADMIN_KEY, "{}"), 400);

    assertThat(body.get("code").asText()).isEqualTo("INVALID_ARGUMENT");
    assertThat(body.at("/fieldViolations/0/field").asText()).isEqualTo("workflow");
    assertThat(body.at("/fieldViolations/0/description").asText()).contains("required");
  }

  @Test
  void startRun_bodyOverOneMebibyte_returns413() throws Exception {
    String big = "{\"workflowName\":\"" + "x".repeat(1 << 20) + "\"}";

    JsonNode body = error(gw.post("/v1/runs", ADMIN_KEY, big), 413);

    assertThat(body.get("reason").asText()).isEqualTo("REQUEST_TOO_LARGE");
  }

  @Test
  void getRun_known_returnsRun() throws Exception {
    AggregatedHttpResponse res = gw.get("/v1/runs/r-done", ADMIN_KEY);

    assertThat(res.status().code()).isEqualTo(200);
    GetRunResponse.Builder parsed = GetRunResponse.newBuilder();
    JsonFormat.parser().merge(res.contentUtf8(), parsed);
    assertThat(parsed.getRun().getState()).isEqualTo(RunState.RUN_STATE_COMPLETED);
  }

  @Test
  void getRun_unknown_returns404WithUpstreamReason() throws Exception {
    JsonNode body = error(gw.get("/v1/runs/nope", ADMIN_KEY), 404);

    assertThat(body.get("code").asText()).isEqualTo("NOT_FOUND");
    assertThat(body.get("reason").asText()).isEqualTo("RUN_NOT_FOUND");
    assertThat(body.get("message").asText()).isEqualTo("run 'nope' not found");
  }

  @Test
  void getRun_upstreamSaturated_returns429WithRetryAfter() throws Exception {
    AggregatedHttpResponse res = gw.get("/v1/runs/busy", ADMIN_KEY);

    JsonNode body = error(res, 429);
    assertThat(res.headers().get("retry-after")).isEqualTo("3");
    assertThat(body.get("reason").asText()).isEqualTo("SATURATED");
  }

  @Test
  void listRuns_queryParameters_bindToRequestFields() throws Exception {
    AggregatedHttpResponse res =
        gw.get("/v1/runs?states=RUN_STATE_FAILED&page_size=10", ADMIN_KEY);

    assertThat(res.status().code()).isEqualTo(200);
    JsonNode runs = JSON.readTree(res.contentUtf8()).get("runs");
    assertThat(runs).hasSize(1);
    assertThat(runs.get(0).get("runId").asText()).isEqualTo("r-failed");
  }

  @Test
  void listRuns_camelCaseParameter_isAccepted() {
    assertThat(gw.get("/v1/runs?pageSize=1", ADMIN_KEY).status().code()).isEqualTo(200);
  }

  @Test
  void listRuns_wrongTypeParameter_returns400NamingIt() throws Exception {
    JsonNode body = error(gw.get("/v1/runs?page_size=ten", ADMIN_KEY), 400);

    assertThat(body.at("/fieldViolations/0/field").asText()).isEqualTo("page_size");
  }

  @Test
  void listRuns_unknownParameter_returns400NamingIt() throws Exception {
    JsonNode body = error(gw.get("/v1/runs?colour=red", ADMIN_KEY), 400);

    assertThat(body.at("/fieldViolations/0/field").asText()).isEqualTo("colour");
  }

  @Test
  void listRuns_badEnumValue_returns400NamingIt() throws Exception {
    JsonNode body = error(gw.get("/v1/runs?states=RUN_STATE_SLEEPING", ADMIN_KEY), 400);

    assertThat(body.at("/fieldViolations/0/field").asText()).isEqualTo("states");
  }

  @Test
  void cancelRun_known_returnsCanceledRun() throws Exception {
    gw.orchestrator.put(Run.newBuilder().setRunId("r-cancel").setState(RunState.RUN_STATE_WORKING).build());

    AggregatedHttpResponse res = gw.post("/v1/runs/r-cancel:cancel", ADMIN_KEY, "{\"reason\":\"test\"}");

    assertThat(res.status().code()).isEqualTo(200);
    assertThat(JSON.readTree(res.contentUtf8()).at("/run/state").asText())
        .isEqualTo("RUN_STATE_CANCELED");
  }

  @Test
  void cancelRun_unknown_returns404() throws Exception {
    error(gw.post("/v1/runs/ghost:cancel", ADMIN_KEY, "{}"), 404);
  }

  @Test
  void retryRun_failedRun_returnsWorkingRun() throws Exception {
    AggregatedHttpResponse res = gw.post("/v1/runs/r-failed:retry", ADMIN_KEY, "{}");

    assertThat(res.status().code()).isEqualTo(200);
    assertThat(JSON.readTree(res.contentUtf8()).at("/run/state").asText())
        .isEqualTo("RUN_STATE_WORKING");
  }

  @Test
  void retryRun_runNotFailed_returns400FailedPrecondition() throws Exception {
    JsonNode body = error(gw.post("/v1/runs/r-done:retry", ADMIN_KEY, "{}"), 400);

    assertThat(body.get("code").asText()).isEqualTo("FAILED_PRECONDITION");
    assertThat(body.get("reason").asText()).isEqualTo("RUN_NOT_FAILED");
  }

  @Test
  void putWorkflow_bodyIsTheWorkflowField_storesAndVersions() throws Exception {
    String workflow = "{\"name\":\"greet\",\"steps\":[{\"id\":\"hello\",\"skill\":\"text.echo\"}]}";

    AggregatedHttpResponse first = gw.post("/v1/workflows", ADMIN_KEY, workflow);
    AggregatedHttpResponse second = gw.post("/v1/workflows", ADMIN_KEY, workflow);

    assertThat(first.status().code()).isEqualTo(200);
    assertThat(JSON.readTree(second.contentUtf8()).at("/workflow/version").asInt()).isEqualTo(2);
  }

  @Test
  void putWorkflow_unknownFieldInWorkflow_returns400WithFieldPath() throws Exception {
    JsonNode body = error(gw.post("/v1/workflows", ADMIN_KEY, "{\"name\":\"w\",\"stepz\":[]}"), 400);

    assertThat(body.at("/fieldViolations/0/field").asText()).isEqualTo("workflow.stepz");
  }

  @Test
  void getWorkflow_storedAndMissing_return200And404() throws Exception {
    gw.post("/v1/workflows", ADMIN_KEY, "{\"name\":\"fetch\",\"steps\":[]}");

    assertThat(gw.get("/v1/workflows/fetch", ADMIN_KEY).status().code()).isEqualTo(200);
    JsonNode body = error(gw.get("/v1/workflows/absent", ADMIN_KEY), 404);
    assertThat(body.get("reason").asText()).isEqualTo("WORKFLOW_NOT_FOUND");
  }

  @Test
  void listWorkflows_returnsStored() throws Exception {
    gw.post("/v1/workflows", ADMIN_KEY, "{\"name\":\"listed\",\"steps\":[]}");

    AggregatedHttpResponse res = gw.get("/v1/workflows", ADMIN_KEY);

    assertThat(res.status().code()).isEqualTo(200);
    assertThat(JSON.readTree(res.contentUtf8()).get("workflows").findValuesAsText("name"))
        .contains("listed");
  }

  @Test
  void getAgentInstance_knownAndMissing_return200And404() throws Exception {
    AggregatedHttpResponse res = gw.get("/v1/instances/i-1", ADMIN_KEY);

    assertThat(res.status().code()).isEqualTo(200);
    assertThat(JSON.readTree(res.contentUtf8()).at("/instance/card/name").asText())
        .isEqualTo("text-analysis");
    assertThat(error(gw.get("/v1/instances/i-9", ADMIN_KEY), 404).get("reason").asText())
        .isEqualTo("INSTANCE_NOT_FOUND");
  }

  @Test
  void listAgentInstances_nestedFilterParameter_filtersBySkill() throws Exception {
    AggregatedHttpResponse res = gw.get("/v1/instances?filter.skill_id=text.keywords", ADMIN_KEY);

    assertThat(res.status().code()).isEqualTo(200);
    JsonNode instances = JSON.readTree(res.contentUtf8()).get("instances");
    assertThat(instances).hasSize(1);
    assertThat(instances.get(0).get("instanceId").asText()).isEqualTo("i-2");
  }

  @Test
  void registerAgent_notAnnotatedNorFramedGrpc_isNotServed() throws Exception {
    // Only the dashboard's GET files live outside /v1: a POST anywhere else is refused.
    JsonNode body =
        error(gw.post("/meshwork.registry.v1.RegistryService/RegisterAgent", ADMIN_KEY, "{}"), 405);

    assertThat(body.get("reason").asText()).isEqualTo("METHOD_NOT_ALLOWED");
    assertThat(gw.lastHeaders("meshwork.registry.v1.RegistryService/RegisterAgent")).isNull();
  }

  @Test
  void unknownRoute_returns404Json() throws Exception {
    JsonNode body = error(gw.get("/v1/nothing-here", ADMIN_KEY), 404);

    assertThat(body.get("code").asText()).isEqualTo("NOT_FOUND");
  }

  @Test
  void methodWithoutBinding_returns404Json() throws Exception {
    AggregatedHttpResponse res =
        gw.send(GatewayFixture.headers(HttpMethod.DELETE, "/v1/runs", ADMIN_KEY).build(), "");

    assertThat(error(res, 404).get("reason").asText()).isEqualTo("ROUTE_NOT_FOUND");
  }

  @Test
  void forwardedCall_carriesTraceContextButNeverTheApiKey() {
    AggregatedHttpResponse res =
        gw.send(
            GatewayFixture.headers(HttpMethod.GET, "/v1/runs/r-done", ADMIN_KEY)
                .set("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
                .set("x-api-key", ADMIN_KEY)
                .build(),
            "");

    assertThat(res.status().code()).isEqualTo(200);
    io.grpc.Metadata upstream =
        gw.lastHeaders("meshwork.orchestrator.v1.OrchestratorService/GetRun");
    assertThat(upstream.get(key("traceparent"))).startsWith("00-4bf92f35");
    assertThat(upstream.keys()).doesNotContain("authorization", "x-api-key");
    assertThat(upstream.toString()).doesNotContain(ADMIN_KEY);
  }

  private static io.grpc.Metadata.Key<String> key(String name) {
    return io.grpc.Metadata.Key.of(name, io.grpc.Metadata.ASCII_STRING_MARSHALLER);
  }

  static JsonNode error(AggregatedHttpResponse res, int status) throws Exception {
    assertThat(res.status().code()).as(res.contentUtf8()).isEqualTo(status);
    assertThat(res.contentType()).isNotNull();
    assertThat(res.contentType().is(MediaType.JSON)).as(res.contentUtf8()).isTrue();
    JsonNode body = JSON.readTree(res.contentUtf8());
    assertThat(body.has("code")).isTrue();
    assertThat(body.has("message")).isTrue();
    assertThat(body.has("reason")).isTrue();
    assertThat(body.get("fieldViolations").isArray()).isTrue();
    return body;
  }
}
