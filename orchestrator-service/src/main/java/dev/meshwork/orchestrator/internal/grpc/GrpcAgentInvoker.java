package dev.meshwork.orchestrator.internal.grpc;

import static java.util.Objects.requireNonNull;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import dev.meshwork.api.agent.v1.AgentServiceGrpc;
import dev.meshwork.api.agent.v1.InvokeRequest;
import dev.meshwork.api.agent.v1.InvokeResponse;
import dev.meshwork.core.GrpcErrors;
import dev.meshwork.core.MeshChannels;
import dev.meshwork.core.MeshTarget;
import dev.meshwork.orchestrator.AgentCall;
import dev.meshwork.orchestrator.AgentCallException;
import dev.meshwork.orchestrator.AgentInvoker;
import dev.meshwork.orchestrator.AgentResult;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Context;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Calls {@code AgentService.Invoke} over one channel per skill, {@code mesh:///skill/<id>} (the
 * registry-backed resolver and client-side load balancing pick the instance). The call's deadline
 * is the engine's; cancelling the returned future cancels the RPC, so the agent sees it.
 */
public final class GrpcAgentInvoker implements AgentInvoker, AutoCloseable {

  private final Function<String, Channel> channelFactory;
  private final Map<String, Channel> channels = new ConcurrentHashMap<>();

  /** An invoker with {@code channelFactory} making the channel of each skill (tests). */
  public GrpcAgentInvoker(Function<String, Channel> channelFactory) {
    this.channelFactory = requireNonNull(channelFactory, "channelFactory");
  }

  /**
   * An invoker over mesh channels; {@code channels} must resolve {@code mesh:} targets (see {@link
   * MeshChannels#withRegistry}). The calls carry the trace context but get no client span: the
   * engine's attempt span is the client side of each call.
   */
  public static GrpcAgentInvoker overMesh(MeshChannels channels) {
    MeshChannels spanless = requireNonNull(channels, "channels").withoutClientSpans();
    return new GrpcAgentInvoker(skill -> spanless.forTarget(targetOf(skill)));
  }

  /** The channel target of a skill. */
  public static String targetOf(String skillId) {
    return MeshTarget.skill(skillId).uri();
  }

  @Override
  public CompletableFuture<AgentResult> invoke(AgentCall call) {
    Channel channel = channels.computeIfAbsent(call.skillId(), channelFactory);
    // The response is handled on the transport thread that read it, not handed to the channel's
    // executor: what runs there is non-blocking (complete a future, Failsafe's bookkeeping, end
    // the attempt span; the engine itself continues on its own executor), and a step spends one
    // thread hand-off less, which on a busy 2-core machine is a CPU wait less.
    CallOptions options =
        CallOptions.DEFAULT
            .withDeadlineAfter(call.timeout().toNanos(), TimeUnit.NANOSECONDS)
            .withExecutor(MoreExecutors.directExecutor());
    if (call.waitForReady()) {
      options = options.withWaitForReady();
    }
    // A run outlives the StartRun or RetryRun call whose thread may dispatch its first steps: the
    // agent call must not inherit that call's cancellation or deadline (grpc-java binds a call to
    // the Context current when it is created). fork() keeps the values, drops the cancellation.
    Context detached = Context.current().fork();
    Context previous = detached.attach();
    ClientCall<InvokeRequest, InvokeResponse> clientCall;
    try {
      clientCall = channel.newCall(AgentServiceGrpc.getInvokeMethod(), options);
    } finally {
      detached.detach(previous);
    }
    InvokeRequest request =
        InvokeRequest.newBuilder()
            .setSkillId(call.skillId())
            .addAllInput(call.input())
            .setIdempotencyKey(call.idempotencyKey())
            .putMetadata("attempt", Integer.toString(call.attempt()))
            .build();
    ListenableFuture<InvokeResponse> rpc = ClientCalls.futureUnaryCall(clientCall, request);
    CompletableFuture<AgentResult> result = new CompletableFuture<>();
    Futures.addCallback(
        rpc,
        new FutureCallback<>() {
          @Override
          public void onSuccess(InvokeResponse response) {
            result.complete(new AgentResult(response.getOutputList(), peerOf(clientCall)));
          }

          @Override
          public void onFailure(Throwable t) {
            result.completeExceptionally(toAgentFailure(t));
          }
        },
        MoreExecutors.directExecutor());
    result.whenComplete(
        (r, e) -> {
          if (e instanceof CancellationException) {
            rpc.cancel(true); // cancels the RPC: the agent's context is cancelled
          }
        });
    return result;
  }

  private static String peerOf(ClientCall<?, ?> call) {
    try {
      SocketAddress address = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
      if (address instanceof InetSocketAddress inet) {
        return inet.getHostString() + ":" + inet.getPort();
      }
      return address == null ? "" : address.toString();
    } catch (RuntimeException e) {
      return "";
    }
  }

  private static Throwable toAgentFailure(Throwable t) {
    if (t instanceof StatusRuntimeException sre) {
      Status status = sre.getStatus();
      String reason = GrpcErrors.reasonOf(sre).orElse("");
      if (reason.isEmpty() && status.getCode() == Status.Code.UNAVAILABLE) {
        reason = "NO_AGENT";
      }
      return new AgentCallException(
          status.getCode().name(),
          reason,
          status.getDescription() == null ? status.getCode().name() : status.getDescription());
    }
    if (t instanceof CancellationException) {
      return t;
    }
    return new AgentCallException("UNKNOWN", "", String.valueOf(t));
  }

  /** Shuts down the channels this invoker made. */
  @Override
  public void close() {
    for (Channel channel : channels.values()) {
      if (channel instanceof ManagedChannel managed) {
        managed.shutdown();
      }
    }
  }
}
