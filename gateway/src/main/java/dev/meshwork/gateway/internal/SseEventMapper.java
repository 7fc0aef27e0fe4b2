package dev.meshwork.gateway.internal;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.OneofDescriptor;
import com.google.protobuf.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Writes the messages of one stream as server-sent events, per its {@link SseStreamSpec}:
 *
 * <pre>
 * id: 7
 * event: RUN_EVENT_TYPE_STEP_COMPLETED
 * data: {"event":{"runId":"r1","sequence":"7",...}}
 * </pre>
 *
 * <p>The data is the whole response message in the proto JSON mapping, on one line.
 */
final class SseEventMapper {

  private final List<FieldPath> id;
  private final Optional<FieldPath> type;
  private final Optional<FieldDescriptor> resume;

  private SseEventMapper(
      List<FieldPath> id, Optional<FieldPath> type, Optional<FieldDescriptor> resume) {
    this.id = id;
    this.type = type;
    this.resume = resume;
  }

  /**
   * Resolves {@code spec} against a stream's request and response types.
   *
   * @throws IllegalArgumentException when the spec names fields the types lack
   */
  static SseEventMapper of(SseStreamSpec spec, Descriptor request, Descriptor response) {
    List<FieldPath> id = spec.idFields().stream().map(p -> FieldPath.resolve(response, p)).toList();
    Optional<FieldPath> type = spec.typeField().map(p -> FieldPath.resolve(response, p));
    Optional<FieldDescriptor> resume =
        spec.resumeField().map(p -> FieldPath.resolve(request, p).leaf());
    resume.ifPresent(
        f -> {
          if (f.getJavaType() != FieldDescriptor.JavaType.LONG) {
            throw new IllegalArgumentException(f.getFullName() + ": resume field must be int64");
          }
        });
    return new SseEventMapper(id, type, resume);
  }

  /** The request field a last event id resumes, if the stream can resume. */
  Optional<FieldDescriptor> resumeField() {
    return resume;
  }

  /**
   * {@code message} as one SSE event. A message without the id's fields (the first message of a
   * stream that starts with something other than events) has no id, so a reconnect never resumes
   * from it; one without the type's field is named after the field its oneof holds ({@code
   * started}).
   */
  String event(Message message) {
    StringBuilder out = new StringBuilder();
    List<String> parts = new ArrayList<>(id.size());
    for (FieldPath path : id) {
      path.text(message).ifPresent(parts::add);
    }
    if (!parts.isEmpty() && parts.size() == id.size()) {
      out.append("id: ").append(String.join(":", parts)).append('\n');
    }
    type.flatMap(t -> t.text(message))
        .or(() -> oneofCase(message))
        .ifPresent(name -> out.append("event: ").append(name).append('\n'));
    return out.append(data(ProtoJson.print(message))).toString();
  }

  /** The name of the field a response's (first) oneof holds, if it has one. */
  private static Optional<String> oneofCase(Message message) {
    for (OneofDescriptor oneof : message.getDescriptorForType().getRealOneofs()) {
      FieldDescriptor set = message.getOneofFieldDescriptor(oneof);
      if (set != null) {
        return Optional.of(set.getName());
      }
    }
    return Optional.empty();
  }

  /** A named event without an id (so a reconnect still resumes from the last real one). */
  static String control(String name, String json) {
    return "event: " + name + "\n" + data(json);
  }

  /** A comment line: keeps proxies and idle timers from closing a quiet stream. */
  static String comment(String text) {
    return ": " + text + "\n\n";
  }

  private static String data(String json) {
    // The printer writes one line; split anyway, since a data line must not hold a newline.
    StringBuilder out = new StringBuilder();
    for (String line : json.split("\n", -1)) {
      out.append("data: ").append(line).append('\n');
    }
    return out.append('\n').toString();
  }
}
