package dev.meshwork.cli.testing;

import static java.util.Objects.requireNonNull;

import dev.meshwork.cli.remote.ChannelFactory;
import dev.meshwork.cli.remote.ChannelSet;
import dev.meshwork.cli.remote.ConnectionSettings;
import dev.meshwork.cli.remote.Server;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link ChannelFactory} whose channels all lead to one in-process server, whatever address the
 * command was given; it remembers the settings each command connected with.
 */
public final class InProcessChannels implements ChannelFactory {

  private final String serverName;
  private final List<ConnectionSettings> opened = new CopyOnWriteArrayList<>();

  /** Channels to the in-process server {@code serverName}. */
  public InProcessChannels(String serverName) {
    this.serverName = requireNonNull(serverName, "serverName");
  }

  /** The settings of every {@link #open} so far. */
  public List<ConnectionSettings> opened() {
    return List.copyOf(opened);
  }

  @Override
  public ChannelSet open(ConnectionSettings settings) {
    opened.add(settings);
    List<ManagedChannel> channels = new ArrayList<>();
    return new ChannelSet() {
      @Override
      public synchronized Channel channel(Server server) {
        ManagedChannel channel = InProcessChannelBuilder.forName(serverName).build();
        channels.add(channel);
        return channel;
      }

      @Override
      public synchronized void close() {
        channels.forEach(ManagedChannel::shutdownNow);
      }
    };
  }
}
