package dev.meshwork.registry.testing;

import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Records a server stream for assertions. Either reads as fast as it can, or (manual flow control)
 * only as many messages as the test requests, to play a slow client.
 */
public final class RecordingObserver<ReqT, RespT> implements ClientResponseObserver<ReqT, RespT> {

  private final Integer initialRequests;
  private final List<RespT> values = new CopyOnWriteArrayList<>();
  private final AtomicReference<Throwable> error = new AtomicReference<>();
  private final AtomicBoolean completed = new AtomicBoolean();
  private volatile ClientCallStreamObserver<ReqT> call;

  private RecordingObserver(Integer initialRequests) {
    this.initialRequests = initialRequests;
  }

  /** Reads everything as it arrives. */
  public static <ReqT, RespT> RecordingObserver<ReqT, RespT> eager() {
    return new RecordingObserver<>(null);
  }

  /** Reads only {@code initialRequests} messages, then whatever {@link #request} allows. */
  public static <ReqT, RespT> RecordingObserver<ReqT, RespT> manual(int initialRequests) {
    return new RecordingObserver<>(initialRequests);
  }

  @Override
  public void beforeStart(ClientCallStreamObserver<ReqT> requestStream) {
    this.call = requestStream;
    if (initialRequests != null) {
      requestStream.disableAutoRequestWithInitial(initialRequests);
    }
  }

  @Override
  public void onNext(RespT value) {
    values.add(value);
  }

  @Override
  public void onError(Throwable t) {
    error.set(t);
  }

  @Override
  public void onCompleted() {
    completed.set(true);
  }

  /** Asks for {@code count} more messages (manual flow control). */
  public void request(int count) {
    call.request(count);
  }

  /** Cancels the call. */
  public void cancel() {
    call.cancel("test cancels", null);
  }

  /** What arrived so far. */
  public List<RespT> values() {
    return List.copyOf(values);
  }

  /** The stream's failure, once it failed. */
  public StatusRuntimeException error() {
    return (StatusRuntimeException) error.get();
  }

  /** Whether the stream failed. */
  public boolean failed() {
    return error.get() != null;
  }

  /** Whether the stream completed normally. */
  public boolean completed() {
    return completed.get();
  }
}
