package dev.meshwork.gateway.internal;

import com.google.protobuf.Message;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpHeaders;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpResponseWriter;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.opentelemetry.context.Scope;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One server-streaming call relayed as an SSE response.
 *
 * <p>The HTTP status waits until the upstream shows it accepted the call (headers or a first
 * message) or a short grace period passed, so that an immediate failure (an unknown run) is a plain
 * 404 with a JSON body rather than an event stream that fails; later failures arrive as an {@code
 * error} event. A normal end is an {@code end} event, which tells the client not to reconnect. At
 * most {@link #PREFETCH} messages are requested ahead of what the HTTP side has consumed, so a slow
 * reader slows the stream; the client going away cancels the upstream call. Everything runs on the
 * request's event loop.
 */
final class SseCall extends ClientCall.Listener<Message> {

  /** How long the response status may wait for the upstream to accept the call. */
  static final Duration OPEN_GRACE = Duration.ofMillis(250);

  /**
   * Messages requested from upstream ahead of the HTTP side: a run's replayed events arrive
   * together, and asking for them one at a time made each wait for the previous one's write.
   */
  static final int PREFETCH = 8;

  private final ServiceRequestContext ctx;
  private final SseEventMapper mapper;
  private final Duration heartbeat;
  private final HttpResponseWriter writer = HttpResponse.streaming();
  private ClientCall<Message, Message> call;
  private boolean opened;
  private ScheduledFuture<?> grace;
  private ScheduledFuture<?> heartbeats;

  private SseCall(ServiceRequestContext ctx, SseEventMapper mapper, Duration heartbeat) {
    this.ctx = ctx;
    this.mapper = mapper;
    this.heartbeat = heartbeat;
  }

  /** Starts {@code method} with {@code request} upstream and answers with its events. */
  static HttpResponse start(
      ServiceRequestContext ctx,
      Channel upstream,
      MethodDescriptor<Message, Message> method,
      Message request,
      HttpHeaders headers,
      SseEventMapper mapper,
      Duration heartbeat) {
    SseCall sse = new SseCall(ctx, mapper, heartbeat);
    try (Scope ignored = UpstreamCalls.traceContext(headers).makeCurrent()) {
      sse.call = upstream.newCall(method, UpstreamCalls.callOptions(ctx, true));
      sse.call.start(sse, UpstreamCalls.forwardedHeaders(headers));
    }
    sse.writer.whenComplete().handle((ignored, failure) -> sse.clientGone());
    sse.call.sendMessage(request);
    sse.call.halfClose();
    sse.call.request(PREFETCH);
    sse.grace = ctx.eventLoop().schedule(sse::open, OPEN_GRACE.toMillis(), TimeUnit.MILLISECONDS);
    return sse.writer;
  }

  @Override
  public void onHeaders(Metadata headers) {
    open();
  }

  @Override
  public void onMessage(Message message) {
    open();
    writer.tryWrite(HttpData.ofUtf8(mapper.event(message)));
    // One more once this one is on its way: a slow reader slows the stream.
    writer.whenConsumed().thenRun(() -> call.request(1));
  }

  @Override
  public void onClose(Status status, Metadata trailers) {
    stopTimers();
    if (!writer.isOpen()) {
      return;
    }
    if (status.isOk()) {
      open();
      writer.tryWrite(HttpData.ofUtf8(SseEventMapper.control("end", "{}")));
      writer.close();
      return;
    }
    ErrorResponses.Error error = ErrorResponses.of(status.asRuntimeException(trailers));
    if (opened) {
      writer.tryWrite(HttpData.ofUtf8(SseEventMapper.control("error", error.json())));
      writer.close();
      return;
    }
    opened = true;
    AggregatedHttpResponse response = error.toResponse();
    writer.tryWrite(response.headers());
    writer.tryWrite(response.content());
    writer.close();
  }

  /** Sends the 200 and the stream preamble, once. */
  private void open() {
    if (opened) {
      return;
    }
    opened = true;
    if (grace != null) {
      grace.cancel(false);
    }
    writer.tryWrite(
        ResponseHeaders.builder(HttpStatus.OK)
            .contentType(MediaType.EVENT_STREAM)
            .set("cache-control", "no-store")
            // Reverse proxies (nginx) must not buffer the stream.
            .set("x-accel-buffering", "no")
            .build());
    // The reconnect delay for EventSource clients, and a first byte so the stream shows as open.
    writer.tryWrite(HttpData.ofUtf8("retry: 2000\n\n"));
    long every = heartbeat.toMillis();
    heartbeats =
        ctx.eventLoop().scheduleAtFixedRate(this::heartbeat, every, every, TimeUnit.MILLISECONDS);
  }

  private void heartbeat() {
    // A failed write means the response is over, whichever way it ended: stop beating.
    if (!writer.tryWrite(HttpData.ofUtf8(SseEventMapper.comment("heartbeat")))) {
      stopTimers();
    }
  }

  private Void clientGone() {
    stopTimers();
    // A no-op when the call is over already; otherwise the client left, so stop the watch.
    call.cancel("the HTTP client went away", null);
    return null;
  }

  private void stopTimers() {
    if (grace != null) {
      grace.cancel(false);
    }
    if (heartbeats != null) {
      heartbeats.cancel(false);
    }
  }
}
