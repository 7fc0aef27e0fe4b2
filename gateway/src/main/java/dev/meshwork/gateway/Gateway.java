package dev.meshwork.gateway;

import static java.util.Objects.requireNonNull;

import com.linecorp.armeria.server.Server;
import dev.meshwork.api.orchestrator.v1.OrchestratorServiceGrpc;
import dev.meshwork.api.orchestrator.v1.RunStatusServiceGrpc;
import dev.meshwork.api.registry.v1.RegistryServiceGrpc;
import dev.meshwork.gateway.internal.ApiKeyStore;
import dev.meshwork.gateway.internal.ApiKeysFile;
import dev.meshwork.gateway.internal.GatewayServer;
import dev.meshwork.gateway.internal.GatewayServer.Upstream;
import io.grpc.Channel;
import java.util.List;
import java.util.logging.Logger;

/**
 * The HTTP edge of the mesh: HTTP/JSON for every {@code google.api.http}-annotated RPC of
 * OrchestratorService, RunStatusService and RegistryService, server-sent events for their
 * streams, API keys, and the web dashboard. The channels it forwards to are given (mTLS mesh
 * channels in production, in-process ones in tests) and stay the caller's to close.
 *
 * <pre>{@code
 * Gateway gateway = Gateway.builder(config)
 *     .orchestrator(orchestratorChannel)
 *     .registry(registryChannel)
 *     .build()
 *     .start();
 * }</pre>
 */
public final class Gateway implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(Gateway.class.getName());

  private final GatewayConfig config;
  private final Server server;

  private Gateway(GatewayConfig config, Server server) {
    this.config = config;
    this.server = server;
  }

  /** A builder for a gateway configured by {@code config}. */
  public static Builder builder(GatewayConfig config) {
    return new Builder(config);
  }

  /** Binds the port and starts serving. */
  public Gateway start() {
    server.start().join();
    LOG.info(
        () ->
            "gateway serving "
                + (config.httpTls().isPresent() ? "HTTPS" : "plain HTTP (INSECURE dev mode)")
                + " on " + config.host() + ":" + port());
    return this;
  }

  /** The bound port (useful when configured as 0). */
  public int port() {
    return server.activeLocalPort();
  }

  /** Stops: refuses new requests, lets in-flight ones finish within the grace period. */
  @Override
  public void close() {
    server.stop().join();
  }

  /** Builds a {@link Gateway}. */
  public static final class Builder {
    private final GatewayConfig config;
    private Channel orchestrator;
    private Channel registry;

    private Builder(GatewayConfig config) {
      this.config = requireNonNull(config, "config");
    }

    /** The channel to OrchestratorService and RunStatusService. */
    public Builder orchestrator(Channel channel) {
      this.orchestrator = requireNonNull(channel, "channel");
      return this;
    }

    /** The channel to RegistryService. */
    public Builder registry(Channel channel) {
      this.registry = requireNonNull(channel, "channel");
      return this;
    }

    /**
     * The gateway, with the API keys of the configured file read now.
     *
     * @throws IllegalStateException when a channel is missing
     * @throws dev.meshwork.core.ConfigException when the key file is invalid
     */
    public Gateway build() {
      if (orchestrator == null || registry == null) {
        throw new IllegalStateException("orchestrator and registry channels are required");
      }
      ApiKeyStore keys = config.apiKeysFile().map(ApiKeysFile::load).orElseGet(ApiKeyStore::empty);
      if (keys.size() == 0) {
        LOG.warning(
            "no API keys configured (--api-keys-file): every /v1 request will be refused with 401");
      }
      List<Upstream> upstreams =
          List.of(
              new Upstream(OrchestratorServiceGrpc.getServiceDescriptor(), orchestrator),
              new Upstream(RunStatusServiceGrpc.getServiceDescriptor(), orchestrator),
              new Upstream(RegistryServiceGrpc.getServiceDescriptor(), registry));
      return new Gateway(config, GatewayServer.create(config, keys, upstreams));
    }
  }
}
