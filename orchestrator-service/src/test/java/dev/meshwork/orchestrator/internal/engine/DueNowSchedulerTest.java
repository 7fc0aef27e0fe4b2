package dev.meshwork.orchestrator.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DueNowSchedulerTest {

  private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
  private final DueNowScheduler scheduler = new DueNowScheduler(executor);

  @AfterEach
  void close() {
    executor.shutdownNow();
  }

  @Test
  void schedule_noDelay_runsOnTheCallingThreadBeforeReturning() {
    AtomicReference<Thread> ranOn = new AtomicReference<>();

    ScheduledFuture<?> future =
        scheduler.schedule(
            () -> {
              ranOn.set(Thread.currentThread());
              return null;
            },
            0,
            TimeUnit.NANOSECONDS);

    assertThat(ranOn).hasValue(Thread.currentThread());
    assertThat(future.isDone()).isTrue();
  }

  @Test
  void schedule_delay_runsLaterOnTheExecutor() throws Exception {
    CompletableFuture<Thread> ranOn = new CompletableFuture<>();

    ScheduledFuture<?> future =
        scheduler.schedule(() -> ranOn.complete(Thread.currentThread()), 20, TimeUnit.MILLISECONDS);

    assertThat(ranOn.get(5, TimeUnit.SECONDS)).isNotSameAs(Thread.currentThread());
    assertThat(future.get(5, TimeUnit.SECONDS)).isEqualTo(true);
  }

  @Test
  void schedule_noDelayWorkThrows_doesNotReachTheCallerAndTheFutureIsDone() {
    ScheduledFuture<?> future =
        scheduler.schedule(
            () -> {
              throw new IllegalStateException("a bug in the work");
            },
            0,
            TimeUnit.NANOSECONDS);

    assertThat(future.isDone()).isTrue();
  }
}
