package dev.meshwork.registry.internal.grpc;

import static dev.meshwork.registry.testing.Requests.card;
import static dev.meshwork.registry.testing.Requests.register;
import static dev.meshwork.registry.testing.Requests.renew;
import static dev.meshwork.registry.testing.Requests.ttl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.meshwork.api.common.v1.AgentCard;
import dev.meshwork.api.common.v1.Endpoint;
import dev.meshwork.api.registry.v1.AgentInstance;
import dev.meshwork.api.registry.v1.DeregisterAgentRequest;
import dev.meshwork.api.registry.v1.GetAgentInstanceRequest;
import dev.meshwork.api.registry.v1.HealthState;
import dev.meshwork.api.registry.v1.InstanceFilter;
import dev.meshwork.api.registry.v1.ListAgentInstancesRequest;
import dev.meshwork.api.registry.v1.ListAgentInstancesResponse;
import dev.meshwork.api.registry.v1.RegisterAgentRequest;
import dev.meshwork.api.registry.v1.RenewLeaseResponse;
import dev.meshwork.core.ErrorCode;
import dev.meshwork.core.FieldViolation;
import dev.meshwork.core.GrpcErrors;
import dev.meshwork.core.MeshException;
import dev.meshwork.registry.internal.InstanceRegistry;
import dev.meshwork.registry.testing.MutableClock;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class RegistryGrpcServiceTest {

  private final MutableClock clock = MutableClock.atEpochDay();
  private final InProcessRegistry mesh =
      new InProcessRegistry(InstanceRegistry.builder().clock(clock).startRevision(0).build());

  @AfterEach
  void tearDown() {
    mesh.close();
  }

  @Test
  void registerAgent_asThatAgent_returnsStoredInstance() {
    AgentInstance instance =
        mesh.blocking("agent/echo").registerAgent(register("echo", 9000)).getInstance();

    assertThat(instance.getInstanceId()).startsWith("echo-");
    assertThat(instance.getRegisteredBy()).isEqualTo("spiffe://meshwork.local/agent/echo");
    assertThat(instance.getHealth()).isEqualTo(HealthState.HEALTH_STATE_SERVING);
    assertThat(get(instance.getInstanceId())).isEqualTo(instance);
  }

  @Test
  void registerAgent_invalidRequest_isInvalidArgumentWithFieldViolations() {
    RegisterAgentRequest request =
        RegisterAgentRequest.newBuilder()
            .setCard(AgentCard.newBuilder().setName("echo").putLabels("Not A Key", "v"))
            .setEndpoint(Endpoint.newBuilder().setHost("localhost").setPort(70000))
            .setLeaseTtl(ttl(Duration.ofHours(1)))
            .build();

    MeshException e = meshFailure(() -> mesh.blocking("agent/echo").registerAgent(request));

    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(e.violations())
        .extracting(FieldViolation::field)
        .containsExactly("card.skills", "card.labels[\"Not A Key\"]", "endpoint.port", "lease_ttl");
    assertThat(e.violations())
        .contains(new FieldViolation("lease_ttl", "3600s (expected: 1s..10m)"));
    assertThat(listAll()).isEmpty();
  }

  @Test
  void registerAgent_asOtherAgent_isPermissionDenied() {
    StatusRuntimeException e =
        statusFailure(() -> mesh.blocking("agent/intruder").registerAgent(register("echo", 9000)));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(GrpcErrors.reasonOf(e)).hasValue("PERMISSION_DENIED");
    assertThat(listAll()).isEmpty();
  }

  @Test
  void registerAgent_sameNameAndEndpointTwice_keepsOneInstance() {
    String first =
        mesh.blocking("agent/echo").registerAgent(register("echo", 9000)).getInstance()
            .getInstanceId();

    String second =
        mesh.blocking("agent/echo")
            .registerAgent(register(card("echo", "echo.run", "echo.loud"), 9000))
            .getInstance()
            .getInstanceId();

    assertThat(second).isEqualTo(first);
    assertThat(listAll()).hasSize(1);
    assertThat(listAll().get(0).getCard().getSkillsCount()).isEqualTo(2);
  }

  @Test
  void renewLease_byOwner_extendsLeaseAndRecordsLoad() {
    String id = registerEcho();
    clock.advance(Duration.ofSeconds(8));

    RenewLeaseResponse response = mesh.blocking("agent/echo").renewLease(renew(id, 4, 0.7));

    assertThat(response.getLeaseExpireTime().getSeconds())
        .isEqualTo(clock.instant().plusSeconds(10).getEpochSecond());
    assertThat(get(id).getLoad().getInFlight()).isEqualTo(4);
  }

  @Test
  void renewLease_unknownInstance_isNotFound() {
    StatusRuntimeException e =
        statusFailure(() -> mesh.blocking("agent/echo").renewLease(renew("echo-123")));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(GrpcErrors.reasonOf(e)).hasValue("AGENT_INSTANCE_NOT_FOUND");
  }

  @Test
  void renewLease_afterExpiry_isNotFoundSoAgentRegistersAgain() {
    String id = registerEcho();
    clock.advance(Duration.ofSeconds(11));

    StatusRuntimeException e =
        statusFailure(() -> mesh.blocking("agent/echo").renewLease(renew(id)));
    String again =
        mesh.blocking("agent/echo").registerAgent(register("echo", 9000)).getInstance()
            .getInstanceId();

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(again).isEqualTo(id);
  }

  @Test
  void renewLease_byOtherAgent_isPermissionDenied() {
    String id = registerEcho();

    StatusRuntimeException e =
        statusFailure(() -> mesh.blocking("agent/other").renewLease(renew(id)));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
  }

  @Test
  void renewLease_badLoad_isInvalidArgument() {
    String id = registerEcho();

    MeshException e = meshFailure(() -> mesh.blocking("agent/echo").renewLease(renew(id, 1, 2.0)));

    assertThat(e.violations())
        .containsExactly(new FieldViolation("load.utilization", "2.0 (expected: 0..1)"));
  }

  @Test
  void deregisterAgent_byOwner_removesInstance() {
    String id = registerEcho();

    mesh.blocking("agent/echo")
        .deregisterAgent(DeregisterAgentRequest.newBuilder().setInstanceId(id).build());

    assertThat(listAll()).isEmpty();
  }

  @Test
  void deregisterAgent_byOtherIdentity_isPermissionDenied() {
    String id = registerEcho();

    StatusRuntimeException e =
        statusFailure(
            () -> mesh.blocking("client/meshctl")
                .deregisterAgent(DeregisterAgentRequest.newBuilder().setInstanceId(id).build()));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(listAll()).hasSize(1);
  }

  @Test
  void deregisterAgent_unknownInstance_isNotFound() {
    StatusRuntimeException e =
        statusFailure(
            () -> mesh.blocking("agent/echo")
                .deregisterAgent(DeregisterAgentRequest.newBuilder().setInstanceId("x-1").build()));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
  }

  @Test
  void getAgentInstance_unknownOrEmptyId_isNotFoundOrInvalid() {
    StatusRuntimeException unknown = statusFailure(() -> mesh.blocking("client/meshctl")
        .getAgentInstance(GetAgentInstanceRequest.newBuilder().setInstanceId("nope").build()));
    MeshException empty = meshFailure(() -> mesh.blocking("client/meshctl")
        .getAgentInstance(GetAgentInstanceRequest.getDefaultInstance()));

    assertThat(unknown.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(unknown.getStatus().getDescription()).isEqualTo("agent instance 'nope' not found");
    assertThat(empty.violations()).extracting(FieldViolation::field).containsExactly("instance_id");
  }

  @Test
  void listAgentInstances_acrossPages_returnsAllOnceInOrder() {
    for (int port = 1; port <= 7; port++) {
      mesh.blocking("agent/echo").registerAgent(register("echo", port));
    }

    List<AgentInstance> all = new ArrayList<>();
    int pages = 0;
    String token = "";
    do {
      ListAgentInstancesResponse page = mesh.blocking("client/meshctl").listAgentInstances(
          ListAgentInstancesRequest.newBuilder().setPageSize(3).setPageToken(token).build());
      all.addAll(page.getInstancesList());
      token = page.getNextPageToken();
      pages++;
    } while (!token.isEmpty());

    assertThat(pages).isEqualTo(3);
    assertThat(all).extracting(AgentInstance::getInstanceId).hasSize(7).doesNotHaveDuplicates()
        .isSorted();
  }

  @Test
  void listAgentInstances_labelSelector_requiresEveryPair() {
    AgentCard euGold = card("echo", "echo.run").toBuilder()
        .putLabels("zone", "eu").putLabels("tier", "gold").build();
    AgentCard euSilver = card("echo", "echo.run").toBuilder()
        .putLabels("zone", "eu").putLabels("tier", "silver").build();
    mesh.blocking("agent/echo").registerAgent(register(euGold, 1));
    mesh.blocking("agent/echo").registerAgent(register(euSilver, 2));

    List<AgentInstance> found = mesh.blocking().listAgentInstances(
        ListAgentInstancesRequest.newBuilder()
            .setFilter(
                InstanceFilter.newBuilder().putLabels("zone", "eu").putLabels("tier", "gold"))
            .build())
        .getInstancesList();

    assertThat(found).extracting(i -> i.getEndpoint().getPort()).containsExactly(1);
  }

  @Test
  void listAgentInstances_badPageToken_isInvalidArgument() {
    MeshException e = meshFailure(() -> mesh.blocking().listAgentInstances(
        ListAgentInstancesRequest.newBuilder().setPageToken("garbage").build()));

    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(e.violations()).extracting(FieldViolation::field).containsExactly("page_token");
  }

  private String registerEcho() {
    return mesh.blocking("agent/echo").registerAgent(register("echo", 9000)).getInstance()
        .getInstanceId();
  }

  private AgentInstance get(String id) {
    return mesh.blocking("client/meshctl")
        .getAgentInstance(GetAgentInstanceRequest.newBuilder().setInstanceId(id).build())
        .getInstance();
  }

  private List<AgentInstance> listAll() {
    return mesh.blocking()
        .listAgentInstances(ListAgentInstancesRequest.newBuilder().setPageSize(1000).build())
        .getInstancesList();
  }

  private static StatusRuntimeException statusFailure(Executable call) {
    return catchThrowableOfType(StatusRuntimeException.class, call::execute);
  }

  private static MeshException meshFailure(Executable call) {
    return GrpcErrors.fromStatusException(statusFailure(call));
  }
}
