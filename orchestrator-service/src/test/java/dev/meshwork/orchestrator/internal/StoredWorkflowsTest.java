package dev.meshwork.orchestrator.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshwork.api.orchestrator.v1.WorkflowSpec;
import dev.meshwork.orchestrator.RunStore;
import dev.meshwork.orchestrator.internal.store.H2RunStore;
import dev.meshwork.orchestrator.testing.RunStores;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StoredWorkflowsTest {

  private final H2RunStore h2 = H2RunStore.inMemory("stored-workflows-" + System.nanoTime());
  private final AtomicInteger reads = new AtomicInteger();
  private final StoredWorkflows workflows = new StoredWorkflows(countingReads(h2));

  @AfterEach
  void close() {
    h2.close();
  }

  @Test
  void get_sameWorkflowTwice_readsStoreOnce() {
    h2.putWorkflow(spec("etl", "first"));

    assertThat(workflows.get("etl", 1)).map(WorkflowSpec::getDescription).hasValue("first");
    assertThat(workflows.get("etl", 1)).map(WorkflowSpec::getDescription).hasValue("first");
    assertThat(workflows.get("etl", 0)).map(WorkflowSpec::getVersion).hasValue(1);
    assertThat(workflows.get("etl", 0)).map(WorkflowSpec::getVersion).hasValue(1);

    assertThat(reads).hasValue(2);
  }

  @Test
  void get_latestAfterPut_isTheNewVersionWithoutReadingTheStore() {
    workflows.put(spec("etl", "first"));
    assertThat(workflows.get("etl", 0)).map(WorkflowSpec::getVersion).hasValue(1);

    workflows.put(spec("etl", "second"));

    assertThat(workflows.get("etl", 0)).map(WorkflowSpec::getDescription).hasValue("second");
    assertThat(workflows.get("etl", 1)).map(WorkflowSpec::getDescription).hasValue("first");
    assertThat(reads).hasValue(0);
  }

  @Test
  void get_latestCachedThenNewerStoredByPut_neverGoesBack() {
    h2.putWorkflow(spec("etl", "first"));
    assertThat(workflows.get("etl", 0)).map(WorkflowSpec::getVersion).hasValue(1);

    workflows.put(spec("etl", "second"));
    workflows.put(spec("etl", "third"));

    assertThat(workflows.get("etl", 0)).map(WorkflowSpec::getVersion).hasValue(3);
  }

  @Test
  void get_unknown_isEmptyAndFoundOnceStored() {
    assertThat(workflows.get("etl", 0)).isEmpty();
    assertThat(workflows.get("etl", 2)).isEmpty();

    workflows.put(spec("etl", "first"));

    assertThat(workflows.get("etl", 0)).map(WorkflowSpec::getVersion).hasValue(1);
    assertThat(workflows.get("etl", 2)).isEmpty();
  }

  @Test
  void get_moreWorkflowsThanKept_leastRecentlyUsedIsReadAgain() {
    for (int i = 0; i <= StoredWorkflows.MAX_ENTRIES; i++) {
      h2.putWorkflow(spec("wf-" + i, "w"));
      assertThat(workflows.get("wf-" + i, 1)).isPresent();
    }
    int afterFilling = reads.get();

    assertThat(workflows.get("wf-" + StoredWorkflows.MAX_ENTRIES, 1)).isPresent();
    assertThat(reads).hasValue(afterFilling);
    assertThat(workflows.get("wf-0", 1)).isPresent();
    assertThat(reads).hasValue(afterFilling + 1);
  }

  private static WorkflowSpec spec(String name, String description) {
    return WorkflowSpec.newBuilder().setName(name).setDescription(description).build();
  }

  private RunStore countingReads(RunStore store) {
    return RunStores.intercepted(
        store,
        (method, args) -> {
          if (method.equals("getWorkflow")) {
            reads.incrementAndGet();
          }
        });
  }
}
