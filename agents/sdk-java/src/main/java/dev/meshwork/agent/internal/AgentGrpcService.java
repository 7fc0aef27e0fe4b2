package dev.meshwork.agent.internal;

import static java.util.Objects.requireNonNull;

import dev.meshwork.agent.MeshClient;
import dev.meshwork.api.agent.v1.AgentServiceGrpc;
import dev.meshwork.api.agent.v1.GetAgentCardRequest;
import dev.meshwork.api.agent.v1.GetAgentCardResponse;
import dev.meshwork.api.agent.v1.InvokeRequest;
import dev.meshwork.api.agent.v1.InvokeResponse;
import dev.meshwork.api.agent.v1.InvokeStreamRequest;
import dev.meshwork.api.agent.v1.InvokeStreamResponse;
import dev.meshwork.api.common.v1.AgentCard;
import dev.meshwork.api.common.v1.Part;
import dev.meshwork.core.CallerIdentity;
import dev.meshwork.core.GrpcErrors;
import dev.meshwork.core.MeshException;
import dev.meshwork.core.MeshIdentity;
import io.grpc.Context;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code AgentService} over the agent's skills: maps requests to skill calls and outcomes to
 * responses or statuses. The work itself happens in {@link SkillInvoker}.
 */
public final class AgentGrpcService extends AgentServiceGrpc.AgentServiceImplBase {

  private final AgentCard card;
  private final Map<String, RegisteredSkill> skills;
  private final SkillInvoker invoker;
  private final MeshClient mesh;

  /**
   * Serves {@code skills} (by id) described by {@code card}.
   *
   * @param mesh the client handed to handlers; null when the agent has no registry
   */
  public AgentGrpcService(
      AgentCard card, Map<String, RegisteredSkill> skills, SkillInvoker invoker, MeshClient mesh) {
    this.card = requireNonNull(card, "card");
    this.skills = Map.copyOf(skills);
    this.invoker = requireNonNull(invoker, "invoker");
    this.mesh = mesh;
  }

  @Override
  public void invoke(InvokeRequest request, StreamObserver<InvokeResponse> responseObserver) {
    ServerCallStreamObserver<InvokeResponse> out =
        (ServerCallStreamObserver<InvokeResponse>) responseObserver;
    // With a handler set, a late response to a cancelled call is dropped instead of throwing.
    out.setOnCancelHandler(() -> {});
    try {
      RegisteredSkill skill =
          skill(request.getSkillId(), AgentServiceGrpc.getInvokeMethod().getFullMethodName());
      CallSkillContext context =
          context(request.getSkillId(), request.getMetadataMap(), request.getIdempotencyKey());
      GrpcSkillStream stream = GrpcSkillStream.collecting(context);
      List<Part> result = invoker.invoke(skill, context, request.getInputList(), stream);
      List<Part> output = new ArrayList<>(stream.collected());
      output.addAll(result);
      out.onNext(InvokeResponse.newBuilder().addAllOutput(output).build());
      out.onCompleted();
    } catch (MeshException e) {
      out.onError(GrpcErrors.toStatusException(e));
    }
  }

  @Override
  public void invokeStream(
      InvokeStreamRequest request, StreamObserver<InvokeStreamResponse> responseObserver) {
    ServerCallStreamObserver<InvokeStreamResponse> out =
        (ServerCallStreamObserver<InvokeStreamResponse>) responseObserver;
    out.setOnCancelHandler(() -> {});
    try {
      RegisteredSkill skill =
          skill(request.getSkillId(), AgentServiceGrpc.getInvokeStreamMethod().getFullMethodName());
      CallSkillContext context =
          context(request.getSkillId(), request.getMetadataMap(), request.getIdempotencyKey());
      GrpcSkillStream stream = GrpcSkillStream.sending(out, context);
      List<Part> result = invoker.invoke(skill, context, request.getInputList(), stream);
      out.onNext(
          InvokeStreamResponse.newBuilder()
              .setResult(InvokeResponse.newBuilder().addAllOutput(result))
              .build());
      out.onCompleted();
    } catch (MeshException e) {
      out.onError(GrpcErrors.toStatusException(e));
    }
  }

  @Override
  public void getAgentCard(
      GetAgentCardRequest request, StreamObserver<GetAgentCardResponse> responseObserver) {
    responseObserver.onNext(GetAgentCardResponse.newBuilder().setCard(card).build());
    responseObserver.onCompleted();
  }

  private RegisteredSkill skill(String skillId, String fullMethod) {
    RegisteredSkill skill = skills.get(skillId);
    if (skill == null) {
      throw MeshException.invalidArgument(
          "skill_id",
          "'" + skillId + "' (expected: one of " + String.join(", ", skills.keySet().stream()
              .sorted().toList()) + ")");
    }
    Optional<MeshIdentity> caller = CallerIdentity.current();
    if (!skill.admits(caller, fullMethod)) {
      throw MeshException.permissionDenied(
          caller.map(MeshIdentity::kindAndName).orElse("caller") + " may not call skill '"
              + skillId + "'");
    }
    return skill;
  }

  private CallSkillContext context(
      String skillId, Map<String, String> metadata, String idempotencyKey) {
    return new CallSkillContext(
        skillId, metadata, idempotencyKey, CallerIdentity.current(), Context.current(), mesh);
  }
}
