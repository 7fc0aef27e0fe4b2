package dev.meshwork.cli.remote;

/**
 * Opens the channels meshctl's remote commands use. The real one ({@link MeshChannelFactory}) makes
 * mTLS (or {@code --insecure} plaintext) channels with core's {@code MeshChannels}; tests pass one
 * that returns in-process channels.
 */
@FunctionalInterface
public interface ChannelFactory {

  /**
   * Opens channels per {@code settings}.
   *
   * @throws dev.meshwork.cli.MeshctlException (usage) when the settings cannot work, for example a
   *     missing certificate
   */
  ChannelSet open(ConnectionSettings settings);
}
