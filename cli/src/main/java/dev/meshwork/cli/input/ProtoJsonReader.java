package dev.meshwork.cli.input;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import dev.meshwork.cli.MeshctlException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a {@link YamlDocument} into a proto message through the proto JSON mapping ({@link
 * JsonFormat}: proto or lowerCamel field names, durations as {@code "30s"}, enums by name; unknown
 * fields rejected). When the mapping fails, the reader finds the offending field and reports it
 * with its line: {@code wf.yaml:9: steps[1].timeout: ...}.
 */
public final class ProtoJsonReader {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonFormat.Parser PARSER = JsonFormat.parser();

  private ProtoJsonReader() {}

  /**
   * Merges the document into {@code builder}.
   *
   * @throws MeshctlException (usage) naming the bad field and its line
   */
  public static void merge(YamlDocument document, Message.Builder builder) {
    requireNonNull(document, "document");
    requireNonNull(builder, "builder");
    Descriptor type = builder.getDescriptorForType();
    if (!document.tree().isObject()) {
      throw document.error(
          JsonPointer.empty(), "", "expected a mapping (the fields of " + type.getName() + ")");
    }
    try {
      PARSER.merge(JSON.writeValueAsString(document.tree()), builder);
    } catch (InvalidProtocolBufferException | JsonProcessingException e) {
      Problem problem =
          locate(document.tree(), type, "", JsonPointer.empty())
              .orElse(new Problem("", JsonPointer.empty(), String.valueOf(e.getMessage())));
      throw document.error(problem.pointer(), problem.path(), problem.message());
    }
  }

  /** Where the mapping failed and why. */
  private record Problem(String path, JsonPointer pointer, String message) {}

  private static Optional<Problem> locate(
      JsonNode node, Descriptor type, String path, JsonPointer pointer) {
    if (isWellKnown(type)) {
      return parseError(node, type).map(message -> new Problem(path, pointer, message));
    }
    if (!node.isObject()) {
      return Optional.of(
          new Problem(path, pointer, "expected a mapping (the fields of " + type.getName() + ")"));
    }
    Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> entry = fields.next();
      String name = entry.getKey();
      JsonNode value = entry.getValue();
      String fieldPath = path.isEmpty() ? name : path + "." + name;
      JsonPointer fieldPointer = pointer.appendProperty(name);
      FieldDescriptor field = field(type, name);
      if (field == null) {
        return Optional.of(
            new Problem(
                fieldPath,
                fieldPointer,
                "unknown field (" + type.getName() + " has: " + fieldNames(type) + ")"));
      }
      ObjectNode alone = JSON.createObjectNode().set(name, value);
      Optional<String> error = parseError(alone, type);
      if (error.isEmpty()) {
        continue;
      }
      Optional<Problem> inner = locateIn(field, value, fieldPath, fieldPointer);
      if (inner.isPresent()) {
        return inner;
      }
      return Optional.of(new Problem(fieldPath, fieldPointer, describe(field, value, error.get())));
    }
    return Optional.empty();
  }

  private static Optional<Problem> locateIn(
      FieldDescriptor field, JsonNode value, String path, JsonPointer pointer) {
    if (field.getJavaType() != FieldDescriptor.JavaType.MESSAGE || field.isMapField()) {
      return Optional.empty();
    }
    Descriptor type = field.getMessageType();
    if (!field.isRepeated()) {
      return value.isObject() || isWellKnown(type)
          ? locate(value, type, path, pointer)
          : Optional.empty();
    }
    if (!value.isArray()) {
      return Optional.of(new Problem(path, pointer, "expected a list of " + type.getName()));
    }
    for (int i = 0; i < value.size(); i++) {
      Optional<Problem> problem =
          locate(value.get(i), type, path + "[" + i + "]", pointer.appendIndex(i));
      if (problem.isPresent()) {
        return problem;
      }
    }
    return Optional.empty();
  }

  private static String describe(FieldDescriptor field, JsonNode value, String error) {
    if (field.getJavaType() == FieldDescriptor.JavaType.ENUM) {
      List<String> names = new ArrayList<>();
      for (EnumValueDescriptor v : field.getEnumType().getValues()) {
        if (v.getNumber() != 0) {
          names.add(v.getName());
        }
      }
      String shown = value.isTextual() ? value.asText() : value.toString();
      return "'" + shown + "' (expected one of: " + String.join(", ", names) + ")";
    }
    return error;
  }

  private static Optional<String> parseError(JsonNode node, Descriptor type) {
    try {
      PARSER.merge(JSON.writeValueAsString(node), DynamicMessage.newBuilder(type));
      return Optional.empty();
    } catch (InvalidProtocolBufferException | JsonProcessingException | RuntimeException e) {
      return Optional.of(String.valueOf(e.getMessage()));
    }
  }

  private static FieldDescriptor field(Descriptor type, String name) {
    FieldDescriptor field = type.findFieldByName(name);
    if (field != null) {
      return field;
    }
    for (FieldDescriptor f : type.getFields()) {
      if (f.getJsonName().equals(name)) {
        return f;
      }
    }
    return null;
  }

  private static String fieldNames(Descriptor type) {
    return String.join(", ", type.getFields().stream().map(FieldDescriptor::getName).toList());
  }

  private static boolean isWellKnown(Descriptor type) {
    return type.getFile().getPackage().equals("google.protobuf");
  }
}
