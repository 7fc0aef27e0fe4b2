package dev.meshwork.cli.testing;

import com.google.protobuf.Duration;
import com.google.protobuf.Timestamp;
import dev.meshwork.api.common.v1.AgentCard;
import dev.meshwork.api.common.v1.Endpoint;
import dev.meshwork.api.common.v1.Part;
import dev.meshwork.api.common.v1.Skill;
import dev.meshwork.api.orchestrator.v1.RunEvent;
import dev.meshwork.api.orchestrator.v1.RunEventType;
import dev.meshwork.api.orchestrator.v1.RunState;
import dev.meshwork.api.orchestrator.v1.Step;
import dev.meshwork.api.orchestrator.v1.StepState;
import dev.meshwork.api.orchestrator.v1.WorkflowSpec;
import dev.meshwork.api.registry.v1.AgentInstance;
import dev.meshwork.api.registry.v1.HealthState;
import dev.meshwork.api.registry.v1.Load;
import dev.meshwork.api.registry.v1.RemovalReason;
import dev.meshwork.api.registry.v1.WatchAgentInstancesResponse;
import dev.meshwork.api.registry.v1.WatchEventType;
import java.time.Instant;

/** Small builders of the proto values the tests use. */
public final class Protos {

  /** A fixed "now" for times inside runs. */
  public static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");

  private Protos() {}

  /** An instance {@code id} of agent {@code agent} on 127.0.0.1:{@code port}, serving. */
  public static AgentInstance instance(String id, String agent, int port, String... skills) {
    AgentCard.Builder card = AgentCard.newBuilder().setName(agent).setVersion("1.2.0");
    for (String skill : skills) {
      card.addSkills(Skill.newBuilder().setId(skill));
    }
    Instant expires = Instant.now().plusSeconds(30);
    return AgentInstance.newBuilder()
        .setInstanceId(id)
        .setCard(card)
        .setEndpoint(Endpoint.newBuilder().setHost("127.0.0.1").setPort(port))
        .setHealth(HealthState.HEALTH_STATE_SERVING)
        .setLoad(Load.newBuilder().setInFlight(2).setUtilization(0.25))
        .setLeaseTtl(Duration.newBuilder().setSeconds(30))
        .setLeaseExpireTime(timestamp(expires))
        .build();
  }

  /** A watch event. */
  public static WatchAgentInstancesResponse watchEvent(
      WatchEventType type, AgentInstance instance, long revision) {
    return WatchAgentInstancesResponse.newBuilder()
        .setType(type)
        .setInstance(instance)
        .setRevision(revision)
        .build();
  }

  /** A REMOVED watch event. */
  public static WatchAgentInstancesResponse removed(
      AgentInstance instance, RemovalReason reason, long revision) {
    return watchEvent(WatchEventType.WATCH_EVENT_TYPE_REMOVED, instance, revision).toBuilder()
        .setRemovalReason(reason)
        .build();
  }

  /** The SYNCED marker. */
  public static WatchAgentInstancesResponse synced(long revision) {
    return WatchAgentInstancesResponse.newBuilder()
        .setType(WatchEventType.WATCH_EVENT_TYPE_SYNCED)
        .setRevision(revision)
        .build();
  }

  /** A workflow {@code name} whose steps form a pipeline in the given order. */
  public static WorkflowSpec pipeline(String name, int version, String... stepIds) {
    WorkflowSpec.Builder workflow = WorkflowSpec.newBuilder().setName(name).setVersion(version);
    String previous = null;
    for (String id : stepIds) {
      Step.Builder step = Step.newBuilder().setId(id).setSkill("text." + id);
      if (previous != null) {
        step.addDependsOn(previous);
      }
      workflow.addSteps(step);
      previous = id;
    }
    return workflow.build();
  }

  /** A run event at T0 + {@code millis}. */
  public static RunEvent.Builder event(
      String runId, long sequence, RunEventType type, RunState state, long millis) {
    return RunEvent.newBuilder()
        .setRunId(runId)
        .setSequence(sequence)
        .setType(type)
        .setRunState(state)
        .setItemIndex(-1)
        .setTime(timestamp(T0.plusMillis(millis)));
  }

  /** A step event at T0 + {@code millis}. */
  public static RunEvent step(
      String runId,
      long sequence,
      RunEventType type,
      String stepId,
      StepState stepState,
      long millis) {
    return event(runId, sequence, type, RunState.RUN_STATE_WORKING, millis)
        .setStepId(stepId)
        .setStepState(stepState)
        .setAttempt(1)
        .setAgentInstance("text@127.0.0.1:7101")
        .build();
  }

  /** A text part. */
  public static Part text(String text) {
    return Part.newBuilder().setText(text).build();
  }

  /** T0 + {@code millis}. */
  public static Timestamp at(long millis) {
    return timestamp(T0.plusMillis(millis));
  }

  /** A proto timestamp. */
  public static Timestamp timestamp(Instant instant) {
    return Timestamp.newBuilder()
        .setSeconds(instant.getEpochSecond())
        .setNanos(instant.getNano())
        .build();
  }
}
