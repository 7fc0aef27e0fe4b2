package dev.meshwork.gateway.internal;

import static java.util.Objects.requireNonNull;

import com.linecorp.armeria.common.util.TransportType;
import dev.meshwork.core.MeshChannels;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;

/**
 * The gateway's channels to one upstream service: mesh channels (mTLS as the gateway, its
 * interceptors and default deadline), one per event loop of the HTTP server, each connection run by
 * its loop on grpc-java's Netty transport, so that a request is relayed on the thread that reads it
 * (see {@link ChannelPool#perEventLoop}).
 */
public final class UpstreamChannels {

  private UpstreamChannels() {}

  /** Channels to {@code target} ({@code host:port}) on the gateway server's event loops. */
  public static ChannelPool to(MeshChannels channels, String target) {
    return to(channels, target, GatewayServer.eventLoops());
  }

  /** Channels to {@code target} ({@code host:port}), one per loop of {@code loops}. */
  static ChannelPool to(MeshChannels channels, String target, EventLoopGroup loops) {
    requireNonNull(channels, "channels");
    requireNonNull(target, "target");
    Class<? extends SocketChannel> type = TransportType.socketChannelType(loops);
    return ChannelPool.perEventLoop(
        loops,
        loop ->
            channels.forTarget(
                target,
                (t, credentials) ->
                    NettyChannelBuilder.forTarget(t, credentials)
                        .eventLoopGroup(loop)
                        .channelType(type)));
  }
}
