package dev.meshwork.cli.agents;

import dev.meshwork.api.registry.v1.AgentInstance;
import dev.meshwork.api.registry.v1.InstanceFilter;
import dev.meshwork.api.registry.v1.ListAgentInstancesRequest;
import dev.meshwork.api.registry.v1.ListAgentInstancesResponse;
import dev.meshwork.cli.output.TableOrJson;
import dev.meshwork.cli.remote.ConnectionOptions;
import dev.meshwork.cli.remote.MeshClient;
import dev.meshwork.cli.remote.Pages;
import dev.meshwork.cli.remote.Pages.Page;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code meshctl agents list}: the registered instances matching a filter, every page. */
@Command(
    name = "list",
    description = {
      "List the registered agent instances: skills, endpoint, health, load and lease.",
      "Filters combine: every given one must match."
    })
final class AgentsListCommand implements Callable<Integer> {

  private static final int PAGE_SIZE = 500;

  @Mixin private ConnectionOptions connection;

  @Mixin private InstanceFilterOptions filterOptions;

  @Mixin private TableOrJson output;

  @Override
  public Integer call() {
    InstanceFilter filter = filterOptions.filter();
    List<AgentInstance> instances;
    try (MeshClient client = connection.connect()) {
      instances = Pages.all(PAGE_SIZE, (token, size) -> page(client, filter, token, size));
    }
    output.printList(
        ListAgentInstancesResponse.newBuilder().addAllInstances(instances),
        instances,
        filterOptions.any() ? "no agent instances match" : "no agent instances",
        () -> InstanceView.table(instances, Instant.now()));
    return 0;
  }

  private static Page<AgentInstance> page(
      MeshClient client, InstanceFilter filter, String token, int size) {
    ListAgentInstancesRequest request =
        ListAgentInstancesRequest.newBuilder()
            .setFilter(filter)
            .setPageSize(size)
            .setPageToken(token)
            .build();
    ListAgentInstancesResponse response = client.registry(stub -> stub.listAgentInstances(request));
    return new Page<>(response.getInstancesList(), response.getNextPageToken());
  }
}
