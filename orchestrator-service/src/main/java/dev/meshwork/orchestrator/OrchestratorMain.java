package dev.meshwork.orchestrator;

import dev.meshwork.core.AuthorizationPolicy;
import dev.meshwork.core.ConfigException;
import dev.meshwork.core.MeshChannels;
import dev.meshwork.core.MeshServer;
import dev.meshwork.core.ServerConfig;
import dev.meshwork.core.Settings;
import dev.meshwork.core.TelemetrySettings;
import dev.meshwork.orchestrator.internal.OrchestratorSettings;
import dev.meshwork.orchestrator.internal.grpc.GrpcAgentInvoker;
import dev.meshwork.orchestrator.internal.grpc.OrchestratorGrpcService;
import dev.meshwork.orchestrator.internal.grpc.RegistrySkillDirectory;
import dev.meshwork.orchestrator.internal.grpc.RunStatusGrpcService;
import dev.meshwork.orchestrator.internal.store.H2RunStore;
import io.grpc.ManagedChannel;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Clock;
import java.util.logging.Logger;

/**
 * The orchestrator process: {@code OrchestratorService} and {@code RunStatusService} on port 7002
 * (identity {@code orchestrator/orchestrator}), runs stored under {@code <data-dir>/orchestrator},
 * agents reached through the registry. Settings: those of {@link ServerConfig} and {@link
 * dev.meshwork.core.TlsConfig}, plus {@link OrchestratorSettings}.
 */
public final class OrchestratorMain {

  /** Who may call the orchestrator. */
  public static final AuthorizationPolicy POLICY =
      AuthorizationPolicy.builder()
          .allow(
              "meshwork.orchestrator.v1.OrchestratorService/*", "client/*", "gateway/*", "agent/*")
          .allow("meshwork.orchestrator.v1.RunStatusService/*", "client/*", "gateway/*", "agent/*")
          .build();

  private static final Logger LOG = Logger.getLogger(OrchestratorMain.class.getName());

  private OrchestratorMain() {}

  /** Runs the orchestrator until SIGTERM / SIGINT. */
  public static void main(String[] args) throws InterruptedException, IOException {
    Settings settings;
    ServerConfig config;
    OrchestratorSettings own;
    try {
      settings = Settings.fromArgs(args);
      // First: the engine's tracer and instruments bind to the telemetry current when it is built.
      TelemetrySettings.init(settings, "orchestrator");
      config = ServerConfig.fromSettings(settings, 7002, "orchestrator/orchestrator");
      own = OrchestratorSettings.fromSettings(settings);
      settings.rejectUnknownFlags();
    } catch (ConfigException | IllegalArgumentException e) {
      System.err.println("orchestrator: " + e.getMessage());
      System.exit(2);
      return;
    }
    Files.createDirectories(own.storeDir());
    MeshChannels channels = MeshChannels.create(config.tls());
    ManagedChannel registry = channels.forTarget(own.registry());
    // Connect now, not at the first StartRun: its skill check would otherwise pay for the
    // connection and TLS handshake of a cold JVM within the lookup's deadline.
    registry.getState(true);
    GrpcAgentInvoker invoker = GrpcAgentInvoker.overMesh(channels.withRegistry(registry));
    H2RunStore store = H2RunStore.openFile(own.storeDir());
    Orchestrator orchestrator =
        Orchestrator.builder()
            .store(store)
            .invoker(invoker)
            .skills(new RegistrySkillDirectory(registry, Clock.systemUTC()))
            .config(own.engine())
            .watchBufferSize(own.watchBuffer())
            .watchHistorySize(own.watchHistory())
            .build()
            .start();
    MeshServer server =
        MeshServer.builder(config)
            .addService(new OrchestratorGrpcService(orchestrator))
            .addService(new RunStatusGrpcService(orchestrator))
            .policy(POLICY)
            .build()
            .start()
            .shutdownOnSignal();
    LOG.info("runs stored in " + own.storeDir() + "; registry at " + own.registry());
    server.awaitTermination();
    // Unfinished runs stay in the store and resume on the next start.
    orchestrator.close();
    invoker.close();
    registry.shutdown();
    channels.close();
    store.close();
  }
}
