package dev.meshwork.orchestrator.testing;

import static java.util.Objects.requireNonNull;

import dev.meshwork.orchestrator.RunStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;

/** Run stores for tests that need to see or refuse what the orchestrator asks of its store. */
public final class RunStores {

  private RunStores() {}

  /** Looks at one call before the store gets it. */
  @FunctionalInterface
  public interface BeforeCall {
    /**
     * @param method the {@link RunStore} method's name
     * @param args its arguments (null for none)
     * @throws RuntimeException to refuse the call: the caller gets it as the store's failure
     */
    void before(String method, Object[] args);
  }

  /** {@code store}, with {@code before} told of every call ahead of the store. */
  public static RunStore intercepted(RunStore store, BeforeCall before) {
    requireNonNull(store, "store");
    requireNonNull(before, "before");
    return (RunStore)
        Proxy.newProxyInstance(
            RunStore.class.getClassLoader(),
            new Class<?>[] {RunStore.class},
            (proxy, method, args) -> {
              before.before(method.getName(), args);
              try {
                return method.invoke(store, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }
}
