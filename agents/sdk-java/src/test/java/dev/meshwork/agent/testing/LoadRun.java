package dev.meshwork.agent.testing;

import dev.meshwork.agent.Parts;
import dev.meshwork.api.agent.v1.AgentServiceGrpc;
import dev.meshwork.api.agent.v1.InvokeRequest;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Steady load on a skill from several threads, each call recorded with its start and end time and
 * either the tag of the instance that answered or the failure status.
 */
public final class LoadRun {

  /** One call. */
  public record Call(long startNanos, long endNanos, String tag, Status failure) {
    /** True when it failed. */
    public boolean failed() {
      return failure != null;
    }
  }

  private final ConcurrentLinkedQueue<Call> calls = new ConcurrentLinkedQueue<>();
  private final List<Thread> threads = new ArrayList<>();
  private final AtomicInteger budget;
  private volatile boolean stopped;

  private LoadRun(Channel channel, String skillId, int threads, int maxCalls) {
    this.budget = new AtomicInteger(maxCalls);
    AgentServiceGrpc.AgentServiceBlockingStub stub = AgentServiceGrpc.newBlockingStub(channel);
    InvokeRequest request =
        InvokeRequest.newBuilder().setSkillId(skillId).addInput(Parts.text("load")).build();
    for (int i = 0; i < threads; i++) {
      Thread thread =
          new Thread(
              () -> {
                while (!stopped && budget.getAndDecrement() > 0) {
                  long start = System.nanoTime();
                  try {
                    String tag =
                        stub.withDeadlineAfter(5, TimeUnit.SECONDS).invoke(request).getOutput(0)
                            .getText();
                    calls.add(new Call(start, System.nanoTime(), tag, null));
                  } catch (StatusRuntimeException e) {
                    calls.add(new Call(start, System.nanoTime(), null, e.getStatus()));
                  }
                }
              },
              "load-" + i);
      thread.setDaemon(true);
      this.threads.add(thread);
    }
  }

  /** Starts {@code threads} callers that stop after {@code maxCalls} calls or {@link #stop()}. */
  public static LoadRun start(Channel channel, String skillId, int threads, int maxCalls) {
    LoadRun run = new LoadRun(channel, skillId, threads, maxCalls);
    run.threads.forEach(Thread::start);
    return run;
  }

  /** Waits for the callers to finish. */
  public LoadRun await() throws InterruptedException {
    for (Thread thread : threads) {
      thread.join(TimeUnit.MINUTES.toMillis(2));
    }
    return this;
  }

  /** Calls recorded so far. */
  public List<Call> calls() {
    return List.copyOf(calls);
  }

  /** Successful calls per tag. */
  public Map<String, Long> countsByTag(Predicate<Call> filter) {
    return calls().stream()
        .filter(c -> !c.failed())
        .filter(filter)
        .collect(Collectors.groupingBy(Call::tag, TreeMap::new, Collectors.counting()));
  }

  /** Failed calls. */
  public List<Call> failures() {
    return calls().stream().filter(Call::failed).toList();
  }

  /** Stops the callers and waits for their last calls. */
  public void stop() throws InterruptedException {
    stopped = true;
    await();
  }
}
