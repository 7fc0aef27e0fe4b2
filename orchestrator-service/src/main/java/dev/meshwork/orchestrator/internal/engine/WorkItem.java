package dev.meshwork.orchestrator.internal.engine;

import static java.util.Objects.requireNonNull;

/**
 * A ready call waiting for a slot: ordered by its run's priority (higher first), then by age.
 * {@link #cancel()} drops it from the queue without running it.
 */
final class WorkItem {

  private final String skill;
  private final int priority;
  private final long order;
  private final Runnable start;
  private volatile boolean cancelled;

  /**
   * A work item.
   *
   * @param skill the queue (and bulkhead) it waits in
   * @param priority its run's priority
   * @param order a global counter value: lower is older
   * @param start what to run once dispatched; it must end with {@link Dispatcher#release}
   */
  WorkItem(String skill, int priority, long order, Runnable start) {
    this.skill = requireNonNull(skill, "skill");
    this.priority = priority;
    this.order = order;
    this.start = requireNonNull(start, "start");
  }

  String skill() {
    return skill;
  }

  int priority() {
    return priority;
  }

  long order() {
    return order;
  }

  void start() {
    start.run();
  }

  void cancel() {
    cancelled = true;
  }

  boolean isCancelled() {
    return cancelled;
  }

  /** Higher priority first, then older first. */
  static int compare(WorkItem a, WorkItem b) {
    int byPriority = Integer.compare(b.priority, a.priority);
    return byPriority != 0 ? byPriority : Long.compare(a.order, b.order);
  }
}
