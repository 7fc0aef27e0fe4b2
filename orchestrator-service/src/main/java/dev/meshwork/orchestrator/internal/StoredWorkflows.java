package dev.meshwork.orchestrator.internal;

import static java.util.Objects.requireNonNull;

import dev.meshwork.api.orchestrator.v1.WorkflowSpec;
import dev.meshwork.orchestrator.RunStore;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The store's workflows as {@code StartRun} reads them, kept in memory after their first read: a
 * stored version never changes, and the latest version of a name changes only when this
 * orchestrator stores a new one (through {@link #put}). Without it every run started by name
 * costs a query and a parse of the spec.
 *
 * <p>One orchestrator owns its store; replicas sharing one (a later PostgreSQL store) would have
 * to let the latest entries expire instead, since another replica may store a newer version.
 */
public final class StoredWorkflows {

  /** Names and versions kept at most; the least recently used go first. */
  static final int MAX_ENTRIES = 1024;

  /** A stored workflow's name and version; version 0 is the latest. */
  private record Key(String name, int version) {}

  private final RunStore store;
  private final Map<Key, WorkflowSpec> cache =
      new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, WorkflowSpec> eldest) {
          return size() > MAX_ENTRIES;
        }
      };

  /** Workflows of {@code store}. */
  public StoredWorkflows(RunStore store) {
    this.store = requireNonNull(store, "store");
  }

  /** A stored workflow; version 0 is the latest. */
  public Optional<WorkflowSpec> get(String name, int version) {
    Key key = new Key(name, version);
    synchronized (cache) {
      WorkflowSpec cached = cache.get(key);
      if (cached != null) {
        return Optional.of(cached);
      }
    }
    Optional<WorkflowSpec> stored = store.getWorkflow(name, version);
    stored.ifPresent(spec -> remember(key, spec));
    return stored;
  }

  /** Stores {@code spec} as the next version of its name (see {@link RunStore#putWorkflow}). */
  public WorkflowSpec put(WorkflowSpec spec) {
    WorkflowSpec stored = store.putWorkflow(spec);
    remember(new Key(stored.getName(), stored.getVersion()), stored);
    remember(new Key(stored.getName(), 0), stored);
    return stored;
  }

  /** Keeps {@code spec} unless a newer version is kept under {@code key} (a read racing a put). */
  private void remember(Key key, WorkflowSpec spec) {
    synchronized (cache) {
      cache.merge(key, spec, (kept, read) -> kept.getVersion() >= read.getVersion() ? kept : read);
    }
  }
}
