package dev.meshwork.gateway.internal;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor.JavaType;
import com.google.protobuf.Message;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.meshwork.core.MeshException;
import io.grpc.Channel;
import io.grpc.MethodDescriptor;
import io.grpc.MethodDescriptor.PrototypeMarshaller;
import io.grpc.Status;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Serves one annotated server-streaming RPC as server-sent events at its {@code google.api.http}
 * path and method: the request is bound from the path and query like a transcoded request, and from
 * the JSON body where the binding has one ({@code *} or a message field; strictly, unknown fields
 * and wrong types are a 400 naming them); a reconnecting client's {@code Last-Event-ID} header (or
 * {@code ?after=N}) fills the stream's resume field, and each response message becomes one event
 * (see {@link SseEventMapper}).
 */
public final class SseStreamService implements HttpService {

  /** The query parameter that resumes a stream, for clients that cannot set headers. */
  public static final String AFTER_PARAM = "after";

  private final HttpBinding binding;
  private final Channel upstream;
  private final Duration heartbeat;
  private final MethodDescriptor<Message, Message> method;
  private final Message prototype;
  private final SseEventMapper mapper;

  /** Where the body goes: the whole request, one message field of it, or nowhere (no body). */
  private final Optional<FieldDescriptor> bodyField;

  /**
   * Serves {@code binding} (a server-streaming RPC) from {@code upstream}.
   *
   * @throws IllegalArgumentException when the binding is not a stream, its body is not the whole
   *     request or a message field of it, or its spec does not fit the contract
   */
  @SuppressWarnings("unchecked")
  public SseStreamService(HttpBinding binding, Channel upstream, Duration heartbeat) {
    this.binding = requireNonNull(binding, "binding");
    this.upstream = requireNonNull(upstream, "upstream");
    this.heartbeat = requireNonNull(heartbeat, "heartbeat");
    if (!binding.serverStreaming()) {
      throw new IllegalArgumentException(binding.method().getFullMethodName() + " is not a stream");
    }
    this.method = (MethodDescriptor<Message, Message>) binding.method();
    this.prototype =
        ((PrototypeMarshaller<Message>) method.getRequestMarshaller()).getMessagePrototype();
    Message responsePrototype =
        ((PrototypeMarshaller<Message>) method.getResponseMarshaller()).getMessagePrototype();
    this.mapper =
        SseEventMapper.of(
            SseStreamSpec.of(method.getFullMethodName()),
            prototype.getDescriptorForType(),
            responsePrototype.getDescriptorForType());
    this.bodyField = bodyField(binding, prototype);
  }

  private static Optional<FieldDescriptor> bodyField(HttpBinding binding, Message prototype) {
    if (binding.body().isEmpty() || binding.body().equals("*")) {
      return Optional.empty();
    }
    FieldDescriptor field = prototype.getDescriptorForType().findFieldByName(binding.body());
    if (field == null || field.isRepeated() || field.getJavaType() != JavaType.MESSAGE) {
      throw new IllegalArgumentException(
          binding.method().getFullMethodName()
              + ": body '"
              + binding.body()
              + "' (expected: * or a singular message field of the request)");
    }
    return Optional.of(field);
  }

  @Override
  public HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) {
    if (binding.body().isEmpty()) {
      return relay(ctx, req, "");
    }
    MediaType type = req.contentType();
    if (type == null || !type.isJson()) {
      // As the transcoded routes refuse it: a form-encoded body (curl -d without a header) is not
      // JSON, and starting a run from it by luck would be worse.
      return ErrorResponses.of(
              HttpStatus.UNSUPPORTED_MEDIA_TYPE,
              Status.Code.INVALID_ARGUMENT,
              "UNSUPPORTED_MEDIA_TYPE",
              "content-type: "
                  + (type == null ? "none" : "'" + type + "'")
                  + " (expected: application/json)")
          .toResponse()
          .toHttpResponse();
    }
    // On the request's event loop, where the relay runs too: no hand-off to another thread.
    return HttpResponse.of(
        req.aggregate(ctx.eventLoop()).thenApply(body -> relay(ctx, req, body.contentUtf8())));
  }

  private HttpResponse relay(ServiceRequestContext ctx, HttpRequest req, String body) {
    Message request;
    try {
      request = request(ctx, req, body);
    } catch (MeshException e) {
      return ErrorResponses.of(e).toResponse().toHttpResponse();
    }
    RequestDeadline deadline = ctx.attr(RequestDeadline.KEY);
    if (deadline == null || !deadline.explicit()) {
      // A watch stays open as long as the client listens.
      ctx.clearRequestTimeout();
    }
    return SseCall.start(ctx, upstream, method, request, req.headers(), mapper, heartbeat);
  }

  private Message request(ServiceRequestContext ctx, HttpRequest req, String body) {
    Map<String, String> variables = binding.path().match(ctx.path()).orElse(Map.of());
    Message.Builder builder = prototype.newBuilderForType();
    if (!body.isBlank()) {
      // Violations name fields as the client sent them: relative to the body.
      ProtoJson.merge(body, bodyField.map(builder::getFieldBuilder).orElse(builder));
    }
    RequestBinder.bind(builder, variables, ctx.queryParams(), Set.of(AFTER_PARAM));
    Optional<FieldDescriptor> resume = mapper.resumeField();
    String lastEventId = req.headers().get(HttpHeaderNames.LAST_EVENT_ID);
    String after = ctx.queryParam(AFTER_PARAM);
    if (resume.isEmpty()) {
      // EventSource sends Last-Event-ID on every reconnect: ignore it where nothing can resume.
      if (after != null) {
        throw MeshException.invalidArgument(AFTER_PARAM, "this stream cannot resume");
      }
      return builder.build();
    }
    if (lastEventId != null && !lastEventId.isBlank()) {
      builder.setField(resume.get(), position("Last-Event-ID", lastEventId));
    } else if (after != null) {
      builder.setField(resume.get(), position(AFTER_PARAM, after));
    }
    return builder.build();
  }

  private static long position(String field, String value) {
    try {
      long position = Long.parseLong(value.trim());
      if (position >= 0) {
        return position;
      }
    } catch (NumberFormatException e) {
      // Reported below.
    }
    throw MeshException.invalidArgument(
        field, "'" + value + "' (expected: the id of an event of this stream, a number >= 0)");
  }
}
