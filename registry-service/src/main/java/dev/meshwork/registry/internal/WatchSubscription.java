package dev.meshwork.registry.internal;

import dev.meshwork.core.MeshException;
import java.util.Optional;

/**
 * A live watch on the registry. The registry fills a bounded buffer and calls the watch's listener
 * (without blocking); the transport drains the buffer at the pace its client reads. A watcher that
 * falls too far behind is cut off: its buffer is dropped and {@link #failure()} says why.
 */
public interface WatchSubscription extends AutoCloseable {

  /** The next event; empty when none is buffered or the watch has ended. */
  Optional<WatchEvent> poll();

  /**
   * Why the registry ended this watch ({@code RESOURCE_EXHAUSTED}, reason {@code
   * WATCHER_TOO_SLOW}); empty while it is live.
   */
  Optional<MeshException> failure();

  /** Stops watching and drops the buffer; idempotent. */
  @Override
  void close();
}
