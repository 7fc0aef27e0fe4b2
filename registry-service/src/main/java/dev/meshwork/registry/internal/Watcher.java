package dev.meshwork.registry.internal;

import static java.util.Objects.requireNonNull;

import dev.meshwork.core.MeshException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One watcher: its filter and its buffer. The initial snapshot or replay goes into an unbounded
 * backlog (it is bounded by the registry's size or history already); live events go into a buffer
 * of fixed capacity, and overflowing it cuts the watcher off instead of blocking the registry.
 */
final class Watcher implements WatchSubscription {

  /** How long a cut-off watcher is told to wait before resuming. */
  static final Duration RESUME_DELAY = Duration.ofSeconds(1);

  private final InstanceMatcher matcher;
  private final int capacity;
  private final Runnable listener;
  private final Consumer<Watcher> onClose;
  private final ArrayDeque<WatchEvent> backlog;
  private final ArrayDeque<WatchEvent> live = new ArrayDeque<>();
  private MeshException failure;
  private boolean closed;

  Watcher(
      InstanceMatcher matcher,
      List<WatchEvent> initialEvents,
      int capacity,
      Runnable listener,
      Consumer<Watcher> onClose) {
    this.matcher = requireNonNull(matcher, "matcher");
    this.backlog = new ArrayDeque<>(initialEvents);
    this.capacity = capacity;
    this.listener = requireNonNull(listener, "listener");
    this.onClose = requireNonNull(onClose, "onClose");
  }

  InstanceMatcher matcher() {
    return matcher;
  }

  /**
   * Buffers a live event; returns false when the watcher is closed or has just been cut off, so
   * the registry drops it.
   */
  synchronized boolean offer(WatchEvent event) {
    if (closed || failure != null) {
      return false;
    }
    if (live.size() >= capacity) {
      end(
          MeshException.resourceExhausted(
              "WATCHER_TOO_SLOW",
              "watcher fell more than "
                  + capacity
                  + " events behind and was cut off; watch again with after_revision set to the"
                  + " last revision you received",
              RESUME_DELAY));
      return false;
    }
    live.add(event);
    return true;
  }

  /** Ends the watch with {@code reason}, dropping what is buffered; the first reason wins. */
  synchronized void end(MeshException reason) {
    if (closed || failure != null) {
      return;
    }
    failure = reason;
    backlog.clear();
    live.clear();
  }

  /** Tells the transport there is something to drain; must not block. */
  void signal() {
    listener.run();
  }

  @Override
  public synchronized Optional<WatchEvent> poll() {
    if (closed || failure != null) {
      return Optional.empty();
    }
    WatchEvent next = backlog.poll();
    return Optional.ofNullable(next != null ? next : live.poll());
  }

  @Override
  public synchronized Optional<MeshException> failure() {
    return Optional.ofNullable(failure);
  }

  @Override
  public void close() {
    // Unsubscribe first (takes the registry's lock), then drop the buffer: the lock order is
    // always registry, then watcher.
    onClose.accept(this);
    synchronized (this) {
      closed = true;
      backlog.clear();
      live.clear();
    }
  }
}
