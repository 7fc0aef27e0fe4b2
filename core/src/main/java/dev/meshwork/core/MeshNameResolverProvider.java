package dev.meshwork.core;

import static java.util.Objects.requireNonNull;

import dev.meshwork.core.internal.RegistryNameResolver;
import io.grpc.Channel;
import io.grpc.NameResolver;
import io.grpc.NameResolverProvider;
import io.grpc.NameResolverRegistry;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Collection;
import java.util.List;

/**
 * Resolves {@code mesh:///skill/<skill-id>} and {@code mesh:///agent/<name>} through the registry:
 * each channel watches the matching instances ({@code WatchAgentInstances}) and gets the addresses
 * of those ready for calls, as they come and go. While the registry is unreachable the last known
 * addresses stay in use and the watch is retried with backoff, resuming where it stopped.
 *
 * <p>The provider needs a channel to the registry, so it is not registered globally; use {@link
 * MeshChannels#withRegistry(Channel)}, or pass {@link #newRegistry()} to {@code
 * Grpc.newChannelBuilder(target, credentials, registry)}.
 */
public final class MeshNameResolverProvider extends NameResolverProvider {

  private static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(250);
  private static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(10);

  private final Channel registryChannel;
  private final Duration initialBackoff;
  private final Duration maxBackoff;

  /** Resolves through the registry reached by {@code registryChannel}. */
  public MeshNameResolverProvider(Channel registryChannel) {
    this(registryChannel, DEFAULT_INITIAL_BACKOFF, DEFAULT_MAX_BACKOFF);
  }

  /**
   * Resolves through the registry reached by {@code registryChannel}, re-watching after a failure
   * from {@code initialBackoff} up to {@code maxBackoff} (defaults 250ms and 10s).
   */
  public MeshNameResolverProvider(
      Channel registryChannel, Duration initialBackoff, Duration maxBackoff) {
    this.registryChannel = requireNonNull(registryChannel, "registryChannel");
    this.initialBackoff = requireNonNull(initialBackoff, "initialBackoff");
    this.maxBackoff = requireNonNull(maxBackoff, "maxBackoff");
    if (initialBackoff.isNegative() || initialBackoff.isZero()) {
      throw new IllegalArgumentException("initialBackoff: " + initialBackoff + " (expected: > 0)");
    }
    if (maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException(
          "maxBackoff: " + maxBackoff + " (expected: >= initialBackoff " + initialBackoff + ")");
    }
  }

  /** A resolver registry holding only this provider, for one channel builder. */
  public NameResolverRegistry newRegistry() {
    NameResolverRegistry registry = new NameResolverRegistry();
    registry.register(this);
    return registry;
  }

  /**
   * The resolver of a {@code mesh:} target; null for other schemes.
   *
   * @throws IllegalArgumentException for a {@code mesh:} target of the wrong shape
   */
  @Override
  public NameResolver newNameResolver(URI targetUri, NameResolver.Args args) {
    if (!MeshTarget.SCHEME.equalsIgnoreCase(targetUri.getScheme())) {
      return null;
    }
    return new RegistryNameResolver(
        MeshTarget.parse(targetUri), registryChannel, args, initialBackoff, maxBackoff);
  }

  @Override
  public String getDefaultScheme() {
    return MeshTarget.SCHEME;
  }

  @Override
  protected boolean isAvailable() {
    return true;
  }

  @Override
  protected int priority() {
    return 5;
  }

  @Override
  public Collection<Class<? extends SocketAddress>> getProducedSocketAddressTypes() {
    return List.of(InetSocketAddress.class);
  }
}
