package dev.meshwork.gateway;

import static dev.meshwork.gateway.testing.GatewayFixture.ADMIN_KEY;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import dev.meshwork.api.orchestrator.v1.OrchestratorServiceGrpc;
import dev.meshwork.api.orchestrator.v1.StartRunRequest;
import dev.meshwork.gateway.internal.ApiKeyStore;
import dev.meshwork.gateway.testing.FakeOrchestrator;
import dev.meshwork.gateway.testing.FakeRegistry;
import dev.meshwork.gateway.testing.FakeRunStatus;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the gateway adds to a call: StartRun over gRPC straight to a (fake) orchestrator on TCP,
 * against POST /v1/runs through the gateway to the same orchestrator, one call at a time, after a
 * warm-up. Prints p50/p99 of both and their difference. Plain text on both sides, so TLS cost is
 * left out. Off unless {@code -Dmeshwork.bench=true}:
 *
 * <pre>
 * mvn -pl gateway test -Dtest=GatewayOverheadBenchmark -Dmeshwork.bench=true
 * </pre>
 */
class GatewayOverheadBenchmark {

  private static final int WARMUP = 3_000;
  private static final int MEASURED = 5_000;

  @Test
  void startRun_directVersusThroughGateway(@TempDir Path dir) throws Exception {
    assumeTrue(Boolean.getBoolean("meshwork.bench"), "set -Dmeshwork.bench=true to run");
    if (!Boolean.getBoolean("meshwork.bench.accessLog")) {
      java.util.logging.Logger.getLogger("dev.meshwork.gateway.access")
          .setLevel(java.util.logging.Level.WARNING);
    }
    Server upstream =
        Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
            .addService(new FakeOrchestrator())
            .addService(new FakeRunStatus())
            .addService(new FakeRegistry())
            .build()
            .start();
    ManagedChannel channel =
        Grpc.newChannelBuilder(
                "127.0.0.1:" + upstream.getPort(), InsecureChannelCredentials.create())
            .build();
    Path keys = dir.resolve("keys.yaml");
    Files.writeString(
        keys,
        "keys:\n- {name: bench, sha256: " + ApiKeyStore.hash(ADMIN_KEY)
            + ", allow: [\"/v1/**\"], rate: 1000000}\n");
    try (Gateway gateway =
        Gateway.builder(GatewayConfig.builder().port(0).apiKeysFile(keys).build())
            .orchestrator(channel)
            .registry(channel)
            .build()
            .start()) {
      var grpc = OrchestratorServiceGrpc.newBlockingStub(channel);
      StartRunRequest request = StartRunRequest.newBuilder().setWorkflowName("bench").build();
      WebClient http = WebClient.of("http://127.0.0.1:" + gateway.port());
      RequestHeaders post =
          RequestHeaders.builder(HttpMethod.POST, "/v1/runs")
              .contentType(MediaType.JSON_UTF_8)
              .set("authorization", "Bearer " + ADMIN_KEY)
              .build();
      LongSupplier direct = () -> time(() -> grpc.startRun(request));
      LongSupplier viaGateway =
          () ->
              time(
                  () -> {
                    AggregatedHttpResponse res =
                        http.execute(post, "{\"workflowName\":\"bench\"}").aggregate().join();
                    if (res.status().code() != 200) {
                      throw new IllegalStateException(res.contentUtf8());
                    }
                  });
      run(direct, WARMUP);
      run(viaGateway, WARMUP);
      long[] d = run(direct, MEASURED);
      long[] g = run(viaGateway, MEASURED);
      System.out.printf(
          Locale.ROOT,
          "%n| path | p50 (ms) | p99 (ms) |%n|---|---|---|%n| gRPC direct | %.3f | %.3f |%n"
              + "| HTTP via gateway | %.3f | %.3f |%n| added by gateway | %.3f | %.3f |%n",
          ms(d, 50), ms(d, 99), ms(g, 50), ms(g, 99), ms(g, 50) - ms(d, 50), ms(g, 99) - ms(d, 99));
    } finally {
      channel.shutdownNow();
      upstream.shutdownNow();
    }
  }

  private static long[] run(LongSupplier call, int n) {
    long[] nanos = new long[n];
    for (int i = 0; i < n; i++) {
      nanos[i] = call.getAsLong();
    }
    Arrays.sort(nanos);
    return nanos;
  }

  private static long time(Runnable call) {
    long start = System.nanoTime();
    call.run();
    return System.nanoTime() - start;
  }

  private static double ms(long[] sorted, int percentile) {
    return sorted[Math.min(sorted.length - 1, sorted.length * percentile / 100)] / 1e6;
  }
}
