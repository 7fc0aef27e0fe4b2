package dev.meshwork.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import dev.meshwork.api.orchestrator.v1.RunEventType;
import dev.meshwork.api.orchestrator.v1.Step;
import dev.meshwork.api.orchestrator.v1.WorkflowSpec;
import dev.meshwork.gateway.testing.GatewayFixture;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard in a real headless Chromium (Playwright): log in with a key, see the agents,
 * start a run, watch its steps turn COMPLETED over SSE, follow the trace link to a stand-in Jaeger.
 * Screenshots land in {@code target/browser-artifacts/}. Needs Debian's chromium and
 * playwright-core ({@code src/test/browser/install.sh}); skipped without them.
 */
class DashboardBrowserTest {

  private static final Path BROWSER_DIR = Path.of("src/test/browser");
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  /** Chromium's start-up alone takes seconds on a busy machine. */
  private static final long TIMEOUT_SECONDS = 180;

  private GatewayFixture gw;
  private HttpServer jaeger;
  private ScheduledExecutorService script;

  @BeforeEach
  void start(@TempDir Path dir) throws Exception {
    assumeTrue(Files.isExecutable(CHROMIUM), "no " + CHROMIUM + " (run src/test/browser/install.sh)");
    assumeTrue(
        Files.isDirectory(BROWSER_DIR.resolve("node_modules/playwright-core")),
        "no playwright-core (run src/test/browser/install.sh)");
    jaeger = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    jaeger.createContext(
        "/trace/",
        exchange -> {
          String id = exchange.getRequestURI().getPath().substring("/trace/".length());
          byte[] page =
              ("<!doctype html><title>Jaeger</title><h1>trace " + id + "</h1>")
                  .getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().set("content-type", "text/html; charset=utf-8");
          exchange.sendResponseHeaders(200, page.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(page);
          }
        });
    jaeger.start();
    gw =
        GatewayFixture.start(
            dir, b -> b.jaegerUrl("http://127.0.0.1:" + jaeger.getAddress().getPort()));
    gw.registry.add("i-1", "text-analysis", "text.summarize");
    gw.orchestrator.store(
        WorkflowSpec.newBuilder()
            .setName("summarize")
            .addSteps(Step.newBuilder().setId("fetch").setSkill("web.fetch"))
            .addSteps(Step.newBuilder().setId("summarize").setSkill("text.summarize")
                .addDependsOn("fetch"))
            .build());
    script = Executors.newSingleThreadScheduledExecutor();
    gw.orchestrator.onStart(run -> scriptRun(run.getRunId()));
  }

  @AfterEach
  void stop() {
    if (gw != null) {
      gw.close();
      jaeger.stop(0);
      script.shutdownNow();
    }
  }

  @Test
  void dashboard_startRunAndWatchIt_stepsTurnCompletedAndTraceLinkWorks() throws Exception {
    // The dashboard starts a run, so its key must allow POST /v1/runs: the admin key does.
    Path artifacts = Path.of("target/browser-artifacts").toAbsolutePath();
    Path log = artifacts.resolve("dashboard.log");
    Files.createDirectories(artifacts);
    Files.deleteIfExists(artifacts.resolve("failure.png"));
    Process node =
        new ProcessBuilder(
                "node",
                "dashboard.mjs",
                "http://127.0.0.1:" + gw.port() + "/",
                GatewayFixture.ADMIN_KEY,
                artifacts.toString(),
                TRACE_ID)
            .directory(BROWSER_DIR.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();

    boolean finished = node.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    if (!finished) {
      node.destroyForcibly();
    }

    String output = Files.readString(log);
    assertThat(finished).as(output).isTrue();
    assertThat(node.exitValue()).as(output).isZero();
    assertThat(output).contains("dashboard.mjs: ok");
    assertThat(artifacts.resolve("dashboard.png")).isNotEmptyFile();
    assertThat(artifacts.resolve("trace.png")).isNotEmptyFile();
  }

  /** What an orchestrator would append while running the two-step workflow. */
  private void scriptRun(String runId) {
    List<Object[]> events =
        List.of(
            new Object[] {RunEventType.RUN_EVENT_TYPE_RUN_SUBMITTED, ""},
            new Object[] {RunEventType.RUN_EVENT_TYPE_RUN_STARTED, ""},
            new Object[] {RunEventType.RUN_EVENT_TYPE_STEP_STARTED, "fetch"},
            new Object[] {RunEventType.RUN_EVENT_TYPE_STEP_COMPLETED, "fetch"},
            new Object[] {RunEventType.RUN_EVENT_TYPE_STEP_STARTED, "summarize"},
            new Object[] {RunEventType.RUN_EVENT_TYPE_STEP_COMPLETED, "summarize"},
            new Object[] {RunEventType.RUN_EVENT_TYPE_RUN_COMPLETED, ""});
    gw.runStatus.create(runId);
    for (int i = 0; i < events.size(); i++) {
      Object[] e = events.get(i);
      script.schedule(
          () -> gw.runStatus.append(runId, (RunEventType) e[0], (String) e[1]),
          1000 + 400L * i,
          TimeUnit.MILLISECONDS);
    }
  }
}
