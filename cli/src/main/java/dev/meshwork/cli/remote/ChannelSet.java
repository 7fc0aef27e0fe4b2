package dev.meshwork.cli.remote;

import io.grpc.Channel;

/** Open channels to the mesh's servers; closing the set closes every channel it opened. */
public interface ChannelSet extends AutoCloseable {

  /** The channel to {@code server}, opened on first use. */
  Channel channel(Server server);

  /** Closes every channel (and the TLS material) this set opened. */
  @Override
  void close();
}
