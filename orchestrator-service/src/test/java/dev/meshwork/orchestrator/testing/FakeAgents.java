package dev.meshwork.orchestrator.testing;

import dev.meshwork.api.common.v1.Part;
import dev.meshwork.orchestrator.AgentCall;
import dev.meshwork.orchestrator.AgentCallException;
import dev.meshwork.orchestrator.AgentInvoker;
import dev.meshwork.orchestrator.AgentResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Fake agents for engine tests: each skill has a behaviour (by default it echoes its input as text
 * "skill(input)"); every call is recorded, with whether the engine cancelled it.
 */
public final class FakeAgents implements AgentInvoker {

  /** One recorded call. */
  public static final class Call {
    public final AgentCall call;
    public final CompletableFuture<AgentResult> future;
    public final long startNanos = System.nanoTime();

    Call(AgentCall call, CompletableFuture<AgentResult> future) {
      this.call = call;
      this.future = future;
    }

    public boolean cancelled() {
      return future.isCancelled();
    }
  }

  private final Map<String, Function<AgentCall, CompletableFuture<AgentResult>>> behaviours =
      new ConcurrentHashMap<>();
  private final List<Call> calls = new CopyOnWriteArrayList<>();
  private final AtomicInteger running = new AtomicInteger();
  private final AtomicInteger maxRunning = new AtomicInteger();

  /** Sets how {@code skill} answers. */
  public FakeAgents on(
      String skill, Function<AgentCall, CompletableFuture<AgentResult>> behaviour) {
    behaviours.put(skill, behaviour);
    return this;
  }

  /** {@code skill} answers with a text part. */
  public FakeAgents answer(String skill, String text) {
    return on(skill, c -> CompletableFuture.completedFuture(AgentResult.of(List.of(text(text)))));
  }

  /** {@code skill} fails every call with {@code code}. */
  public FakeAgents fail(String skill, String code) {
    return on(
        skill,
        c ->
            CompletableFuture.failedFuture(
                new AgentCallException(code, "", skill + " failed with " + code)));
  }

  /** {@code skill} never answers (until cancelled). */
  public FakeAgents hang(String skill) {
    return on(skill, c -> new CompletableFuture<>());
  }

  /**
   * {@code skill} answers only when the test completes its calls' futures.
   *
   * @return the futures of its calls so far, in call order (a live list)
   */
  public List<CompletableFuture<AgentResult>> hold(String skill) {
    List<CompletableFuture<AgentResult>> held = new CopyOnWriteArrayList<>();
    on(
        skill,
        c -> {
          CompletableFuture<AgentResult> f = new CompletableFuture<>();
          held.add(f);
          return f;
        });
    return held;
  }

  /** {@code skill} fails with {@code code} for its first {@code n} calls, then echoes. */
  public FakeAgents failFirst(String skill, int n, String code) {
    AtomicInteger count = new AtomicInteger();
    return on(
        skill,
        c ->
            count.incrementAndGet() <= n
                ? CompletableFuture.failedFuture(new AgentCallException(code, "", "flaky " + skill))
                : echo(c));
  }

  @Override
  public CompletableFuture<AgentResult> invoke(AgentCall call) {
    int now = running.incrementAndGet();
    maxRunning.accumulateAndGet(now, Math::max);
    CompletableFuture<AgentResult> future;
    try {
      future = behaviours.getOrDefault(call.skillId(), FakeAgents::echo).apply(call);
    } catch (RuntimeException e) {
      future = CompletableFuture.failedFuture(e);
    }
    // The engine gets its own future, completed only after the call counts as finished, and whose
    // cancellation reaches the behaviour's future.
    CompletableFuture<AgentResult> result = new CompletableFuture<>();
    CompletableFuture<AgentResult> inner = future;
    calls.add(new Call(call, result));
    inner.whenComplete(
        (r, e) -> {
          running.decrementAndGet();
          if (e != null) {
            result.completeExceptionally(e);
          } else {
            result.complete(r);
          }
        });
    result.whenComplete(
        (r, e) -> {
          if (result.isCancelled()) {
            inner.cancel(true);
          }
        });
    return result;
  }

  /** Echoes the input: "skill(text of each part, joined by ,)". */
  public static CompletableFuture<AgentResult> echo(AgentCall call) {
    List<String> texts = new ArrayList<>();
    for (Part p : call.input()) {
      texts.add(p.hasText() ? p.getText() : p.hasData() ? structText(p) : "file");
    }
    return CompletableFuture.completedFuture(
        AgentResult.of(List.of(text(call.skillId() + "(" + String.join(",", texts) + ")"))));
  }

  private static String structText(Part p) {
    return dev.meshwork.orchestrator.internal.expr.Values.toText(
        dev.meshwork.orchestrator.internal.expr.Values.fromStruct(p.getData()));
  }

  public static Part text(String s) {
    return Part.newBuilder().setText(s).build();
  }

  /** Every call so far, in start order. */
  public List<Call> calls() {
    return List.copyOf(calls);
  }

  /** Calls of one skill. */
  public List<Call> calls(String skill) {
    return calls.stream().filter(c -> c.call.skillId().equals(skill)).toList();
  }

  /** The skills called, in call order. */
  public List<String> skillsCalled() {
    return calls.stream().map(c -> c.call.skillId()).toList();
  }

  /** The most calls that ran at the same time. */
  public int maxConcurrent() {
    return maxRunning.get();
  }
}
