package dev.meshwork.observability.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class ExitHookTest {

  private final List<Thread> registered = new CopyOnWriteArrayList<>();
  private final List<String> ran = new CopyOnWriteArrayList<>();
  private final ExitHook hook = new ExitHook(registered::add);

  @Test
  void run_actionsAndFlush_runsActionsInOrderThenFlush() {
    hook.flushWith(() -> ran.add("flush"));
    hook.beforeFlush(() -> ran.add("drain server"));
    hook.beforeFlush(() -> ran.add("drain second server"));

    hook.run();

    assertThat(ran).containsExactly("drain server", "drain second server", "flush");
  }

  @Test
  void run_failingAction_stillRunsTheRestAndFlushes() {
    hook.beforeFlush(
        () -> {
          throw new IllegalStateException("boom");
        });
    hook.beforeFlush(() -> ran.add("second"));
    hook.flushWith(() -> ran.add("flush"));

    hook.run();

    assertThat(ran).containsExactly("second", "flush");
  }

  @Test
  void beforeFlush_manyRegistrations_registerOneJvmHook() {
    hook.beforeFlush(() -> {});
    hook.beforeFlush(() -> {});
    hook.flushWith(() -> {});

    assertThat(registered).singleElement().extracting(Thread::getName).isEqualTo("meshwork-exit");
  }
}
