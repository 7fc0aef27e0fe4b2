package dev.meshwork.cli.testing;

import dev.meshwork.cli.MeshctlRun;
import io.grpc.Server;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * An in-process stand-in for a running mesh: fake registry, orchestrator and run status services on
 * one in-process server, and a way to run meshctl against them.
 *
 * <pre>{@code
 * try (FakeMesh mesh = FakeMesh.start()) {
 *   mesh.registry().add(instance);
 *   MeshctlRun run = mesh.meshctl("agents", "list");
 * }
 * }</pre>
 */
public final class FakeMesh implements AutoCloseable {

  private final FakeRegistry registry = new FakeRegistry();
  private final FakeOrchestrator orchestrator = new FakeOrchestrator();
  private final FakeRunStatus runStatus = new FakeRunStatus();
  private final Server server;
  private final InProcessChannels channels;
  private final Map<String, String> env = new HashMap<>(Map.of("USER", "alice"));

  private FakeMesh() throws IOException {
    String name = InProcessServerBuilder.generateName();
    server =
        InProcessServerBuilder.forName(name)
            .addService(registry)
            .addService(orchestrator)
            .addService(runStatus)
            .build()
            .start();
    channels = new InProcessChannels(name);
  }

  /** Starts the fake services. */
  public static FakeMesh start() throws IOException {
    return new FakeMesh();
  }

  /** Runs {@code meshctl args...} with channels to an in-process server that does not exist. */
  public static MeshctlRun withoutServer(String... args) {
    InProcessChannels nowhere = new InProcessChannels(InProcessServerBuilder.generateName());
    return MeshctlRun.run(Map.of("USER", "alice"), nowhere, args);
  }

  /** The fake registry. */
  public FakeRegistry registry() {
    return registry;
  }

  /** The fake orchestrator. */
  public FakeOrchestrator orchestrator() {
    return orchestrator;
  }

  /** The fake run status service. */
  public FakeRunStatus runStatus() {
    return runStatus;
  }

  /** The channel factory meshctl uses; it records the connection settings of each command. */
  public InProcessChannels channels() {
    return channels;
  }

  /** Sets an environment variable for the following meshctl runs. */
  public FakeMesh env(String name, String value) {
    env.put(name, value);
    return this;
  }

  /** Runs {@code meshctl args...} against the fakes. */
  public MeshctlRun meshctl(String... args) {
    return MeshctlRun.run(Map.copyOf(env), channels, args);
  }

  @Override
  public void close() throws InterruptedException {
    server.shutdownNow();
    server.awaitTermination(5, TimeUnit.SECONDS);
  }
}
