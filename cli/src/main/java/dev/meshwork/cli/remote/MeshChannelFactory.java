package dev.meshwork.cli.remote;

import static java.util.Objects.requireNonNull;

import dev.meshwork.cli.MeshctlException;
import dev.meshwork.core.CertDirectory;
import dev.meshwork.core.ConfigException;
import dev.meshwork.core.MeshChannels;
import dev.meshwork.core.MeshIdentity;
import dev.meshwork.core.TlsConfig;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import java.nio.file.Files;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real {@link ChannelFactory}: channels made by core's {@link MeshChannels}, presenting the
 * certificate of {@link ConnectionSettings#identity()} from {@link ConnectionSettings#certDir()},
 * or plaintext with {@code --insecure}.
 */
public final class MeshChannelFactory implements ChannelFactory {

  /** meshctl is short-lived; the files are read once in practice. */
  private static final Duration TLS_REFRESH = Duration.ofMinutes(5);

  @Override
  public ChannelSet open(ConnectionSettings settings) {
    requireNonNull(settings, "settings");
    TlsConfig tls = tlsConfig(settings);
    try {
      return new MeshChannelSet(settings, MeshChannels.create(tls));
    } catch (ConfigException e) {
      throw MeshctlException.usage(e.getMessage(), e);
    }
  }

  private static TlsConfig tlsConfig(ConnectionSettings settings) {
    CertDirectory dir = settings.certDir();
    MeshIdentity identity = settings.identity();
    TlsConfig config =
        new TlsConfig(
            settings.insecure(),
            identity,
            dir.certFile(identity),
            dir.keyFile(identity),
            dir.caCert(),
            TLS_REFRESH);
    if (!settings.insecure()) {
      if (!Files.isReadable(config.ca())) {
        throw MeshctlException.usage(
            "no CA certificate "
                + config.ca()
                + " (run 'meshctl certs init', set --cert-dir, or"
                + " pass --insecure for a plaintext dev mesh)");
      }
      if (!Files.isReadable(config.cert()) || !Files.isReadable(config.key())) {
        throw MeshctlException.usage(
            "no certificate for "
                + identity.kindAndName()
                + " in "
                + dir.root()
                + " (issue it"
                + " with 'meshctl certs issue "
                + identity.kindAndName()
                + "', or pick another"
                + " with --identity / $MESHWORK_USER)");
      }
    }
    return config;
  }

  /** Channels opened lazily, one per server. */
  private static final class MeshChannelSet implements ChannelSet {

    private final ConnectionSettings settings;
    private final MeshChannels channels;
    private final Map<Server, ManagedChannel> open = new EnumMap<>(Server.class);

    MeshChannelSet(ConnectionSettings settings, MeshChannels channels) {
      this.settings = settings;
      this.channels = channels;
    }

    @Override
    public synchronized Channel channel(Server server) {
      return open.computeIfAbsent(server, s -> channels.forTarget(settings.address(s)));
    }

    @Override
    public synchronized void close() {
      for (ManagedChannel channel : open.values()) {
        channel.shutdownNow();
      }
      for (ManagedChannel channel : open.values()) {
        try {
          channel.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      open.clear();
      channels.close();
    }
  }
}
