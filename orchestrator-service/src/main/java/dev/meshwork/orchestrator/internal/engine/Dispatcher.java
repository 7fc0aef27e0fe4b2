package dev.meshwork.orchestrator.internal.engine;

import static java.util.Objects.requireNonNull;

import dev.failsafe.Bulkhead;
import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Hands ready calls to a bounded number of workers: one queue per skill, each ordered by run
 * priority then age, and a per-skill {@link Bulkhead} that caps how many calls of one skill run at
 * once (so a slow skill cannot take every slot). The dispatcher never blocks a caller: {@link
 * #submit} only enqueues, and the work runs on the executor.
 */
final class Dispatcher {

  private final int maxInFlight;
  private final Function<String, Bulkhead<?>> bulkheads;
  private final Executor executor;
  private final Map<String, PriorityQueue<WorkItem>> queues = new HashMap<>();
  private final AtomicLong order = new AtomicLong();
  private int queued;
  private int inFlight;

  /**
   * A dispatcher.
   *
   * @param maxInFlight calls running at once, over all skills
   * @param bulkheads the bulkhead of each skill
   * @param executor runs dispatched work
   */
  Dispatcher(int maxInFlight, Function<String, Bulkhead<?>> bulkheads, Executor executor) {
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("maxInFlight: " + maxInFlight + " (expected: >= 1)");
    }
    this.maxInFlight = maxInFlight;
    this.bulkheads = requireNonNull(bulkheads, "bulkheads");
    this.executor = requireNonNull(executor, "executor");
  }

  /** A new item for {@link #submit}, younger than every item before it. */
  WorkItem newItem(String skill, int priority, Runnable start) {
    return new WorkItem(skill, priority, order.incrementAndGet(), start);
  }

  /** Queues {@code item} and starts what can start. */
  void submit(WorkItem item) {
    synchronized (this) {
      queues.computeIfAbsent(item.skill(), s -> new PriorityQueue<>(WorkItem::compare)).add(item);
      queued++;
    }
    pump();
  }

  /** Frees the slot and bulkhead permit of a dispatched item; call exactly once per item. */
  void release(WorkItem item) {
    synchronized (this) {
      inFlight--;
      bulkheads.apply(item.skill()).releasePermit();
    }
    pump();
  }

  /** Removes a queued item; a no-op for an item already dispatched. */
  synchronized void cancel(WorkItem item) {
    item.cancel();
    PriorityQueue<WorkItem> queue = queues.get(item.skill());
    if (queue != null && queue.remove(item)) {
      queued--;
    }
  }

  /** Calls queued or running. */
  synchronized int pending() {
    return queued + inFlight;
  }

  /** Calls running. */
  synchronized int inFlight() {
    return inFlight;
  }

  private void pump() {
    while (true) {
      WorkItem next = takeNext();
      if (next == null) {
        return;
      }
      executor.execute(next::start);
    }
  }

  /** The best item whose skill has a free permit, with its slot and permit taken; or null. */
  private synchronized WorkItem takeNext() {
    if (inFlight >= maxInFlight) {
      return null;
    }
    WorkItem best = null;
    for (PriorityQueue<WorkItem> queue : queues.values()) {
      WorkItem head = dropCancelled(queue);
      if (head != null && (best == null || WorkItem.compare(head, best) < 0)) {
        if (bulkheadHasRoom(head.skill())) {
          best = head;
        }
      }
    }
    if (best == null) {
      return null;
    }
    if (!bulkheads.apply(best.skill()).tryAcquirePermit()) {
      return null;
    }
    queues.get(best.skill()).poll();
    queued--;
    inFlight++;
    return best;
  }

  private WorkItem dropCancelled(PriorityQueue<WorkItem> queue) {
    WorkItem head = queue.peek();
    while (head != null && head.isCancelled()) {
      queue.poll();
      queued--;
      head = queue.peek();
    }
    return head;
  }

  private boolean bulkheadHasRoom(String skill) {
    Bulkhead<?> bulkhead = bulkheads.apply(skill);
    if (bulkhead.tryAcquirePermit()) {
      bulkhead.releasePermit();
      return true;
    }
    return false;
  }
}
