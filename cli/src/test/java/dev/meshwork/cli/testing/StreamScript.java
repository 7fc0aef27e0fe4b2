package dev.meshwork.cli.testing;

import static java.util.Objects.requireNonNull;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.List;

/**
 * What a fake server-streaming call does: send {@code responses}, then end with {@code ending} (OK
 * completes the stream, another status fails it), or stay open when {@code ending} is null.
 *
 * @param responses the messages to send
 * @param ending how the stream ends; null keeps it open
 */
public record StreamScript<T>(List<T> responses, Status ending) {

  /** Copies the list. */
  public StreamScript {
    responses = List.copyOf(requireNonNull(responses, "responses"));
  }

  /** Sends the responses, then completes. */
  public static <T> StreamScript<T> completing(List<T> responses) {
    return new StreamScript<>(responses, Status.OK);
  }

  /** Sends the responses, then fails with {@code status}. */
  public static <T> StreamScript<T> failing(List<T> responses, Status status) {
    return new StreamScript<>(responses, requireNonNull(status, "status"));
  }

  /** Sends the responses and stays open. */
  public static <T> StreamScript<T> open(List<T> responses) {
    return new StreamScript<>(responses, null);
  }

  /** Plays the script on {@code observer}; returns whether the stream stays open. */
  boolean play(StreamObserver<T> observer) {
    responses.forEach(observer::onNext);
    if (ending == null) {
      return true;
    }
    if (ending.isOk()) {
      observer.onCompleted();
    } else {
      observer.onError(ending.asRuntimeException());
    }
    return false;
  }
}
