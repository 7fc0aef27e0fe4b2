package dev.meshwork.cli.agents;

import dev.meshwork.api.registry.v1.AgentInstance;
import dev.meshwork.api.registry.v1.InstanceFilter;
import dev.meshwork.api.registry.v1.ListAgentInstancesRequest;
import dev.meshwork.api.registry.v1.ListAgentInstancesResponse;
import dev.meshwork.cli.output.ListFormat;
import dev.meshwork.cli.output.ProtoJson;
import dev.meshwork.cli.remote.ConnectionOptions;
import dev.meshwork.cli.remote.MeshClient;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code meshctl agents list}: the registered instances matching a filter, every page. */
@Command(
    name = "list",
    description = {
      "List the registered agent instances: skills, endpoint, health, load and lease.",
      "Filters combine: every given one must match."
    })
final class AgentsListCommand implements Callable<Integer> {

  private static final int PAGE_SIZE = 500;

  @Spec private CommandSpec spec;

  @Mixin private ConnectionOptions connection;

  @Mixin private InstanceFilterOptions filterOptions;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      defaultValue = "table",
      description = "table or json (default: ${DEFAULT-VALUE}).")
  private ListFormat format;

  @Override
  public Integer call() {
    InstanceFilter filter = filterOptions.filter();
    List<AgentInstance> instances;
    try (MeshClient client = connection.connect()) {
      instances = list(client, filter);
    }
    PrintWriter out = spec.commandLine().getOut();
    if (format == ListFormat.JSON) {
      out.println(
          ProtoJson.json(ListAgentInstancesResponse.newBuilder().addAllInstances(instances)));
    } else if (instances.isEmpty()) {
      PrintWriter err = spec.commandLine().getErr();
      err.println(filterOptions.any() ? "no agent instances match" : "no agent instances");
      err.flush();
    } else {
      InstanceView.table(instances, Instant.now()).print(out);
    }
    out.flush();
    return 0;
  }

  private static List<AgentInstance> list(MeshClient client, InstanceFilter filter) {
    List<AgentInstance> instances = new ArrayList<>();
    Set<String> seenTokens = new HashSet<>();
    String token = "";
    do {
      ListAgentInstancesRequest request =
          ListAgentInstancesRequest.newBuilder()
              .setFilter(filter)
              .setPageSize(PAGE_SIZE)
              .setPageToken(token)
              .build();
      ListAgentInstancesResponse page = client.registry(stub -> stub.listAgentInstances(request));
      instances.addAll(page.getInstancesList());
      token = page.getNextPageToken();
    } while (!token.isEmpty() && seenTokens.add(token));
    return instances;
  }
}
