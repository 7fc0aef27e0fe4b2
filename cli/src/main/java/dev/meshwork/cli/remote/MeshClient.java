package dev.meshwork.cli.remote;

import static java.util.Objects.requireNonNull;

import dev.meshwork.api.orchestrator.v1.OrchestratorServiceGrpc;
import dev.meshwork.api.orchestrator.v1.OrchestratorServiceGrpc.OrchestratorServiceBlockingStub;
import dev.meshwork.api.orchestrator.v1.RunStatusServiceGrpc;
import dev.meshwork.api.orchestrator.v1.RunStatusServiceGrpc.RunStatusServiceBlockingStub;
import dev.meshwork.api.registry.v1.RegistryServiceGrpc;
import dev.meshwork.api.registry.v1.RegistryServiceGrpc.RegistryServiceBlockingStub;
import dev.meshwork.cli.MeshctlException;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * meshctl's view of the mesh for one command: stubs with the per-call deadline, and errors turned
 * into {@link MeshctlException}s that print well.
 *
 * <pre>{@code
 * try (MeshClient client = connection.connect()) {
 *   Run run = client.orchestrator(stub -> stub.getRun(request)).getRun();
 * }
 * }</pre>
 */
public final class MeshClient implements AutoCloseable {

  private final ConnectionSettings settings;
  private final ChannelSet channels;

  MeshClient(ConnectionSettings settings, ChannelSet channels) {
    this.settings = requireNonNull(settings, "settings");
    this.channels = requireNonNull(channels, "channels");
  }

  /** The settings the client was opened with. */
  public ConnectionSettings settings() {
    return settings;
  }

  /**
   * Makes a unary call to the registry within the deadline.
   *
   * @throws MeshctlException (failure) when the call fails
   */
  public <T> T registry(Function<RegistryServiceBlockingStub, T> call) {
    RegistryServiceBlockingStub stub =
        RegistryServiceGrpc.newBlockingStub(channels.channel(Server.REGISTRY))
            .withDeadlineAfter(settings.timeout().toNanos(), TimeUnit.NANOSECONDS);
    return call(Server.REGISTRY, stub, call);
  }

  /**
   * Makes a unary call to the orchestrator within the deadline.
   *
   * @throws MeshctlException (failure) when the call fails
   */
  public <T> T orchestrator(Function<OrchestratorServiceBlockingStub, T> call) {
    OrchestratorServiceBlockingStub stub =
        OrchestratorServiceGrpc.newBlockingStub(channels.channel(Server.ORCHESTRATOR))
            .withDeadlineAfter(settings.timeout().toNanos(), TimeUnit.NANOSECONDS);
    return call(Server.ORCHESTRATOR, stub, call);
  }

  /** A registry stub without deadline, for watches; map its errors with {@link #failure}. */
  public RegistryServiceBlockingStub registryStreams() {
    return RegistryServiceGrpc.newBlockingStub(channels.channel(Server.REGISTRY));
  }

  /** A run status stub without deadline, for watches; map its errors with {@link #failure}. */
  public RunStatusServiceBlockingStub runStatusStreams() {
    return RunStatusServiceGrpc.newBlockingStub(channels.channel(Server.ORCHESTRATOR));
  }

  /** The error to report for a failed call to {@code server}. */
  public MeshctlException failure(Server server, StatusRuntimeException e) {
    return RemoteErrors.failure(settings, server, e);
  }

  @Override
  public void close() {
    channels.close();
  }

  private <S, T> T call(Server server, S stub, Function<S, T> call) {
    try {
      return call.apply(stub);
    } catch (StatusRuntimeException e) {
      throw failure(server, e);
    }
  }
}
