package dev.meshwork.gateway.internal;

import static java.util.Objects.requireNonNull;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Several channels to one service used as one: each call goes to the next channel in turn, so the
 * gateway's calls spread over as many HTTP/2 connections. Every client of the gateway shares its
 * upstream connections, and one connection is one event loop on each side: at a thousand requests a
 * second, a run's events waited there behind other clients' reads.
 */
public final class ChannelPool extends Channel {

  private final List<ManagedChannel> channels;
  private final AtomicInteger next = new AtomicInteger();

  private ChannelPool(List<ManagedChannel> channels) {
    this.channels = List.copyOf(channels);
  }

  /**
   * A pool of {@code size} channels made by {@code channel}.
   *
   * @throws IllegalArgumentException when {@code size} is below 1
   */
  public static ChannelPool of(int size, Supplier<ManagedChannel> channel) {
    requireNonNull(channel, "channel");
    if (size < 1) {
      throw new IllegalArgumentException("size: " + size + " (expected: > 0)");
    }
    List<ManagedChannel> channels = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      channels.add(requireNonNull(channel.get(), "channel"));
    }
    return new ChannelPool(channels);
  }

  @Override
  public <ReqT, RespT> ClientCall<ReqT, RespT> newCall(
      MethodDescriptor<ReqT, RespT> method, CallOptions options) {
    int i = Math.floorMod(next.getAndIncrement(), channels.size());
    return channels.get(i).newCall(method, options);
  }

  @Override
  public String authority() {
    return channels.get(0).authority();
  }

  /** How many channels the pool spreads calls over. */
  public int size() {
    return channels.size();
  }

  /** Starts an orderly shutdown of every channel. */
  public void shutdown() {
    channels.forEach(ManagedChannel::shutdown);
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
