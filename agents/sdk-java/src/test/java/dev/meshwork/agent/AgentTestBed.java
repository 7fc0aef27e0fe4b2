package dev.meshwork.agent;

import dev.meshwork.core.MeshIdentity;
import dev.meshwork.core.ServerConfig;
import dev.meshwork.core.TlsConfig;
import dev.meshwork.core.testing.FakeRegistry;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Plaintext agents on localhost ports with an in-process {@link FakeRegistry}, for SDK tests that
 * are about behaviour rather than TLS. Close it in {@code @AfterEach}.
 */
final class AgentTestBed {

  final FakeRegistry registry = new FakeRegistry();
  final String registryName = InProcessServerBuilder.generateName();
  final ManagedChannel registryChannel = InProcessChannelBuilder.forName(registryName).build();
  private final List<MeshAgent> agents = new ArrayList<>();
  private final List<ManagedChannel> channels = new ArrayList<>();
  private Server registryServer;

  AgentTestBed startRegistry() {
    try {
      registryServer =
          InProcessServerBuilder.forName(registryName).addService(registry).build().start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }

  void stopRegistry() throws InterruptedException {
    registryServer.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  /** A builder for a plaintext agent on a free port, registering with the fake registry. */
  MeshAgent.Builder agent(String name) {
    return MeshAgent.builder()
        .name(name)
        .version("1.2.3")
        .serverConfig(insecureConfig(name, Duration.ofSeconds(5)))
        .registryChannel(registryChannel)
        .leaseTtl(Duration.ofSeconds(3))
        .drainDelay(Duration.ZERO);
  }

  MeshAgent started(MeshAgent.Builder builder) {
    MeshAgent agent = builder.start();
    agents.add(agent);
    return agent;
  }

  ManagedChannel channelTo(MeshAgent agent) {
    ManagedChannel channel =
        Grpc.newChannelBuilderForAddress(
                "127.0.0.1", agent.port(), InsecureChannelCredentials.create())
            .build();
    channels.add(channel);
    return channel;
  }

  static ServerConfig insecureConfig(String name, Duration grace) {
    return new ServerConfig(
        "127.0.0.1",
        0,
        grace,
        Optional.empty(),
        new TlsConfig(
            true,
            MeshIdentity.parseKindName(MeshIdentity.DEFAULT_TRUST_DOMAIN, "agent/" + name),
            Path.of("unused.crt"),
            Path.of("unused.key"),
            Path.of("unused-ca.crt"),
            Duration.ofSeconds(30)));
  }

  /** Stops the agents, the channels and the registry. */
  void close() throws InterruptedException {
    for (ManagedChannel channel : channels) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    for (MeshAgent agent : agents) {
      agent.abort();
    }
    registryChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    if (registryServer != null) {
      registryServer.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
