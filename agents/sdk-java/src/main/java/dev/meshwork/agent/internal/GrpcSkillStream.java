package dev.meshwork.agent.internal;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Struct;
import dev.meshwork.agent.SkillStream;
import dev.meshwork.api.agent.v1.InvokeStreamResponse;
import dev.meshwork.api.agent.v1.OutputChunk;
import dev.meshwork.api.agent.v1.StatusUpdate;
import dev.meshwork.api.common.v1.Part;
import dev.meshwork.core.MeshException;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link SkillStream} writing to an {@code InvokeStream} response stream, or (for {@code Invoke})
 * collecting the chunks so they can precede the result.
 */
public final class GrpcSkillStream implements SkillStream {

  private final ServerCallStreamObserver<InvokeStreamResponse> out;
  private final CallSkillContext context;
  private final List<Part> collected = new ArrayList<>();

  private GrpcSkillStream(
      ServerCallStreamObserver<InvokeStreamResponse> out, CallSkillContext context) {
    this.out = out;
    this.context = requireNonNull(context, "context");
  }

  /** A stream sending each update and chunk to {@code out}. */
  public static GrpcSkillStream sending(
      ServerCallStreamObserver<InvokeStreamResponse> out, CallSkillContext context) {
    return new GrpcSkillStream(requireNonNull(out, "out"), context);
  }

  /** A stream dropping updates and keeping chunks, for unary calls. */
  public static GrpcSkillStream collecting(CallSkillContext context) {
    return new GrpcSkillStream(null, context);
  }

  @Override
  public void progress(String message, double progress) {
    send(StatusUpdate.newBuilder().setMessage(message).setProgress(progress).build());
  }

  @Override
  public void progress(String message, double progress, Struct details) {
    send(
        StatusUpdate.newBuilder()
            .setMessage(message)
            .setProgress(progress)
            .setDetails(details)
            .build());
  }

  @Override
  public synchronized void chunk(List<Part> parts) {
    checkOpen();
    if (out == null) {
      collected.addAll(parts);
      return;
    }
    out.onNext(
        InvokeStreamResponse.newBuilder()
            .setChunk(OutputChunk.newBuilder().addAllParts(parts))
            .build());
  }

  /** The chunks' parts collected so far (unary calls). */
  public synchronized List<Part> collected() {
    return List.copyOf(collected);
  }

  private synchronized void send(StatusUpdate update) {
    double progress = update.getProgress();
    if (progress < 0 || progress > 1 || Double.isNaN(progress)) {
      throw new IllegalArgumentException(
          "progress: " + update.getProgress() + " (expected: 0..1)");
    }
    checkOpen();
    if (out != null) {
      out.onNext(InvokeStreamResponse.newBuilder().setStatus(update).build());
    }
  }

  private void checkOpen() {
    if (context.isCancelled()) {
      MeshException over = context.cancellation();
      throw over;
    }
  }
}
