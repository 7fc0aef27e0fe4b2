package dev.meshwork.registry.testing;

import dev.meshwork.api.common.v1.AgentCard;
import dev.meshwork.api.common.v1.Endpoint;
import dev.meshwork.api.common.v1.Skill;
import dev.meshwork.api.registry.v1.HealthState;
import dev.meshwork.api.registry.v1.Load;
import dev.meshwork.api.registry.v1.RegisterAgentRequest;
import dev.meshwork.api.registry.v1.RenewLeaseRequest;
import java.time.Duration;

/** Builders for the requests tests send. */
public final class Requests {

  private Requests() {}

  /** A card named {@code name} serving {@code skillIds}. */
  public static AgentCard card(String name, String... skillIds) {
    AgentCard.Builder card = AgentCard.newBuilder().setName(name).setVersion("1.0.0");
    for (String id : skillIds) {
      card.addSkills(Skill.newBuilder().setId(id).setName(id));
    }
    return card.build();
  }

  /** An endpoint on localhost. */
  public static Endpoint endpoint(int port) {
    return Endpoint.newBuilder().setHost("127.0.0.1").setPort(port).build();
  }

  /** Registers agent {@code name} on localhost:{@code port} with skill {@code <name>.run}. */
  public static RegisterAgentRequest register(String name, int port) {
    return register(card(name, name + ".run"), port);
  }

  /** Registers {@code card} on localhost:{@code port} with a 10s lease. */
  public static RegisterAgentRequest register(AgentCard card, int port) {
    return RegisterAgentRequest.newBuilder()
        .setCard(card)
        .setEndpoint(endpoint(port))
        .setLeaseTtl(ttl(Duration.ofSeconds(10)))
        .build();
  }

  /** A protobuf duration. */
  public static com.google.protobuf.Duration ttl(Duration duration) {
    return com.google.protobuf.Duration.newBuilder()
        .setSeconds(duration.getSeconds())
        .setNanos(duration.getNano())
        .build();
  }

  /** A pure heartbeat. */
  public static RenewLeaseRequest renew(String instanceId) {
    return RenewLeaseRequest.newBuilder().setInstanceId(instanceId).build();
  }

  /** A renewal reporting load. */
  public static RenewLeaseRequest renew(String instanceId, int inFlight, double utilization) {
    return RenewLeaseRequest.newBuilder()
        .setInstanceId(instanceId)
        .setLoad(Load.newBuilder().setInFlight(inFlight).setUtilization(utilization))
        .build();
  }

  /** A renewal reporting health. */
  public static RenewLeaseRequest renew(String instanceId, HealthState health) {
    return RenewLeaseRequest.newBuilder().setInstanceId(instanceId).setHealth(health).build();
  }
}
