package dev.meshwork.gateway.internal;

import static java.util.Objects.requireNonNull;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Channels to one service used as one: one channel per event loop of the gateway's HTTP server, its
 * connection run by that same loop, and each call made on a loop goes to that loop's channel. A
 * relayed request then stays on one thread from the HTTP request to the upstream call and back (the
 * upstream connection's reads, the call's callbacks and the HTTP response), as Envoy's workers keep
 * their own upstream connections: no hand-off between the server's and the client's threads, each
 * of which cost a wake-up on the way in and another on the way out.
 *
 * <p>A call made on no loop of the group takes the next channel in turn.
 */
public final class ChannelPool extends Channel {

  private final List<ManagedChannel> channels;
  private final List<EventExecutor> loops;
  private final AtomicInteger next = new AtomicInteger();

  private ChannelPool(List<ManagedChannel> channels, List<EventExecutor> loops) {
    this.channels = List.copyOf(channels);
    this.loops = List.copyOf(loops);
  }

  /**
   * One channel per event loop of {@code group}, made by {@code channel} for that loop (which
   * should run the channel's connection): a call made on a loop of the group uses the loop's
   * channel, any other call the next channel in turn.
   *
   * @throws IllegalArgumentException when the group has no event loop
   */
  public static ChannelPool perEventLoop(
      EventLoopGroup group, Function<EventLoop, ManagedChannel> channel) {
    requireNonNull(group, "group");
    requireNonNull(channel, "channel");
    List<EventExecutor> loops = new ArrayList<>();
    List<ManagedChannel> channels = new ArrayList<>();
    for (EventExecutor executor : group) {
      loops.add(executor);
      channels.add(requireNonNull(channel.apply((EventLoop) executor), "channel"));
    }
    if (loops.isEmpty()) {
      throw new IllegalArgumentException("group: no event loop (expected: at least one)");
    }
    return new ChannelPool(channels, loops);
  }

  @Override
  public <ReqT, RespT> ClientCall<ReqT, RespT> newCall(
      MethodDescriptor<ReqT, RespT> method, CallOptions options) {
    for (int i = 0; i < loops.size(); i++) {
      if (loops.get(i).inEventLoop()) {
        return channels.get(i).newCall(method, options);
      }
    }
    int i = Math.floorMod(next.getAndIncrement(), channels.size());
    return channels.get(i).newCall(method, options);
  }

  @Override
  public String authority() {
    return channels.get(0).authority();
  }

  /** How many channels the pool holds. */
  public int size() {
    return channels.size();
  }

  /** Starts an orderly shutdown of every channel. */
  public void shutdown() {
    channels.forEach(ManagedChannel::shutdown);
  }

  /** Shuts every channel down now, cancelling the calls still open. */
  public void shutdownNow() {
    channels.forEach(ManagedChannel::shutdownNow);
  }

  /** Waits up to {@code timeout} in all for every channel to terminate; true if they did. */
  public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    long deadline = System.nanoTime() + unit.toNanos(timeout);
    for (ManagedChannel channel : channels) {
      long left = deadline - System.nanoTime();
      if (!channel.awaitTermination(Math.max(0, left), TimeUnit.NANOSECONDS)) {
        return false;
      }
    }
    return true;
  }
}
