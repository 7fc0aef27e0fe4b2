package dev.meshwork.gateway;

import dev.meshwork.core.ConfigException;
import dev.meshwork.core.MeshChannels;
import dev.meshwork.core.Settings;
import dev.meshwork.core.TelemetrySettings;
import dev.meshwork.core.TlsConfig;
import dev.meshwork.gateway.internal.ApiKeyIssuer;
import dev.meshwork.gateway.internal.ApiKeyStore;
import dev.meshwork.gateway.internal.ChannelPool;
import dev.meshwork.gateway.internal.UpstreamChannels;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Runs the gateway: {@code java -jar gateway/target/meshwork-gateway.jar [--flag=value ...]} (see
 * {@link GatewayConfig} and {@link TlsConfig} for the flags). The gateway is a mesh client with
 * identity {@code gateway/gateway}.
 *
 * <p>Two helpers that print and exit: {@code --hash-key <key>} (or {@code --hash-key -} to read the
 * key from standard input, out of the shell history) prints the SHA-256 the API key file stores;
 * {@code --new-api-key FILE [--key-name dev] [--key-allow /v1/**]} generates a random key, appends
 * its hash to FILE (created if missing) and prints the key, once.
 */
public final class GatewayMain {

  private static final Logger LOG = Logger.getLogger(GatewayMain.class.getName());

  private GatewayMain() {}

  /** Entry point. */
  public static void main(String[] args) throws Exception {
    try {
      run(Settings.fromArgs(args));
    } catch (ConfigException e) {
      System.err.println("gateway: " + e.getMessage());
      System.exit(2);
    }
  }

  private static void run(Settings settings) throws Exception {
    if (settings.raw("hash-key").isPresent()) {
      System.out.println(ApiKeyStore.hash(keyToHash(settings.raw("hash-key").get())));
      return;
    }
    if (settings.raw("new-api-key").isPresent()) {
      System.out.println(
          ApiKeyIssuer.issue(
              Path.of(settings.raw("new-api-key").get()),
              settings.string("key-name", "dev"),
              settings.string("key-allow", "/v1/**")));
      return;
    }
    TelemetrySettings.init(settings, "gateway");
    TlsConfig tls = TlsConfig.fromSettings(settings, GatewayConfig.IDENTITY);
    GatewayConfig config = GatewayConfig.fromSettings(settings, tls);
    settings.rejectUnknownFlags();

    // With the SDK off, telemetry itself leaves out client spans (they would go nowhere).
    try (MeshChannels channels = MeshChannels.create(tls)) {
      ChannelPool orchestrator = UpstreamChannels.to(channels, config.orchestratorTarget());
      ChannelPool registry = UpstreamChannels.to(channels, config.registryTarget());
      LOG.info(
          () ->
              "orchestrator at "
                  + config.orchestratorTarget()
                  + ", registry at "
                  + config.registryTarget()
                  + ", over "
                  + orchestrator.size()
                  + " mTLS connection(s) each, one per event loop");
      Gateway gateway =
          Gateway.builder(config).orchestrator(orchestrator).registry(registry).build();
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    gateway.close();
                    orchestrator.shutdown();
                    registry.shutdown();
                    stopped.countDown();
                  },
                  "gateway-shutdown"));
      gateway.start();
      stopped.await();
      orchestrator.awaitTermination(5, TimeUnit.SECONDS);
      registry.awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static String keyToHash(String value) throws IOException {
    if (!value.equals("-")) {
      return value;
    }
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line = in.readLine();
    if (line == null || line.isBlank()) {
      throw new ConfigException("--hash-key -: no key on standard input");
    }
    return line.trim();
  }
}
