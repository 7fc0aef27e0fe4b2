package dev.meshwork.registry.internal;

import static java.util.Objects.requireNonNull;

import dev.meshwork.core.MeshException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * The attached watchers and the fan-out of changes to them. Handing an event to a watcher only
 * appends to its bounded buffer, so fan-out never waits for a client; a watcher whose buffer is
 * full is cut off and dropped. Watchers that got something are collected, to be signalled once
 * the registry has released its lock.
 *
 * <p>Not thread-safe: the registry guards it with its lock, so fan-out happens in revision order
 * and atomically with a new watcher's snapshot.
 */
final class WatcherHub {

  private final List<Watcher> watchers = new ArrayList<>();
  private final Set<Watcher> pendingSignals = Collections.newSetFromMap(new IdentityHashMap<>());

  void add(Watcher watcher) {
    watchers.add(requireNonNull(watcher, "watcher"));
  }

  void remove(Watcher watcher) {
    watchers.remove(watcher);
    pendingSignals.remove(watcher);
  }

  int size() {
    return watchers.size();
  }

  /** Hands {@code change} to every watcher it concerns. */
  void publish(Change change) {
    for (Iterator<Watcher> it = watchers.iterator(); it.hasNext(); ) {
      Watcher watcher = it.next();
      WatchEvent event = change.eventFor(watcher.matcher());
      if (event == null) {
        continue;
      }
      if (!watcher.offer(event)) {
        // Cut off (or closed): it gets no more events, but is signalled to deliver its failure.
        it.remove();
      }
      pendingSignals.add(watcher);
    }
  }

  /** Ends every watch with {@code reason} and detaches them all. */
  void endAll(MeshException reason) {
    for (Watcher watcher : watchers) {
      watcher.end(reason);
      pendingSignals.add(watcher);
    }
    watchers.clear();
  }

  /** The watchers to signal since the last call; the caller signals them outside the lock. */
  List<Watcher> takePendingSignals() {
    if (pendingSignals.isEmpty()) {
      return List.of();
    }
    List<Watcher> signals = new ArrayList<>(pendingSignals);
    pendingSignals.clear();
    return signals;
  }
}
