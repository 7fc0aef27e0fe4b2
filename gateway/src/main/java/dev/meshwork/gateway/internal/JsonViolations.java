package dev.meshwork.gateway.internal;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.meshwork.core.FieldViolation;
import dev.meshwork.core.MeshException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Finds which fields of a JSON document a proto message type refuses, after the strict parser
 * failed: {@code JsonFormat} names unknown fields but not the field of a wrong value, and never the
 * path. This walks the document along the descriptor and re-parses each leaf field on its own, so
 * the violation reads {@code workflow.steps[0].retry.max_attempts: Not an int32 value}. Only error
 * paths pay for it.
 */
final class JsonViolations {

  /** The field name of violations about the document as a whole. */
  static final String BODY = "body";

  /** The reason of a body that is not JSON. */
  static final String MALFORMED_JSON = "MALFORMED_JSON";

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonFormat.Parser PARSER = JsonFormat.parser();

  private JsonViolations() {}

  /**
   * Why {@code type} refuses {@code json}: {@code INVALID_ARGUMENT} with reason {@code
   * MALFORMED_JSON} when it is not JSON at all, else one violation per bad field; {@code failure}
   * is the parser's.
   */
  static MeshException refusal(Descriptor type, String json, Exception failure) {
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      return malformed(e);
    }
    List<FieldViolation> violations = new ArrayList<>();
    walk(type, root, "", violations);
    if (violations.isEmpty()) {
      violations.add(new FieldViolation(BODY, String.valueOf(failure.getMessage())));
    }
    return MeshException.invalidArgument(violations);
  }

  /** The error of a document that is not JSON at all. */
  static MeshException malformed(JsonProcessingException e) {
    JsonLocation at = e.getLocation();
    String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
    return MeshException.invalidArgument(
        MALFORMED_JSON,
        List.of(
            new FieldViolation(BODY, "malformed JSON" + where + ": " + e.getOriginalMessage())));
  }

  private static void walk(Descriptor type, JsonNode node, String path, List<FieldViolation> out) {
    if (!node.isObject()) {
      out.add(
          new FieldViolation(
              path.isEmpty() ? BODY : path,
              "expected a JSON object (" + type.getFullName() + "), got " + kind(node)));
      return;
    }
    for (Map.Entry<String, JsonNode> entry : node.properties()) {
      FieldDescriptor field = find(type, entry.getKey());
      if (field == null) {
        out.add(
            new FieldViolation(
                join(path, entry.getKey()), "unknown field of " + type.getFullName()));
        continue;
      }
      String fieldPath = join(path, field.getName());
      JsonNode value = entry.getValue();
      if (isPlainMessage(field) && !value.isNull()) {
        if (!field.isRepeated()) {
          walk(field.getMessageType(), value, fieldPath, out);
        } else if (!value.isArray()) {
          out.add(new FieldViolation(fieldPath, "expected a JSON array, got " + kind(value)));
        } else {
          for (int i = 0; i < value.size(); i++) {
            walk(field.getMessageType(), value.get(i), fieldPath + "[" + i + "]", out);
          }
        }
        continue;
      }
      checkLeaf(type, entry.getKey(), value, fieldPath, out);
    }
  }

  /** Parses one field alone into an empty message of its type. */
  private static void checkLeaf(
      Descriptor type, String key, JsonNode value, String fieldPath, List<FieldViolation> out) {
    ObjectNode single = MAPPER.createObjectNode();
    single.set(key, value);
    try {
      PARSER.merge(single.toString(), DynamicMessage.newBuilder(type));
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      out.add(new FieldViolation(fieldPath, String.valueOf(e.getMessage())));
    }
  }

  /** A message field walked into: not a map, not a well-known type with its own JSON form. */
  static boolean isPlainMessage(FieldDescriptor field) {
    return field.getJavaType() == FieldDescriptor.JavaType.MESSAGE
        && !field.isMapField()
        && !field.getMessageType().getFullName().startsWith("google.protobuf.");
  }

  static FieldDescriptor find(Descriptor type, String name) {
    FieldDescriptor byProtoName = type.findFieldByName(name);
    if (byProtoName != null) {
      return byProtoName;
    }
    for (FieldDescriptor field : type.getFields()) {
      if (field.getJsonName().equals(name)) {
        return field;
      }
    }
    return null;
  }

  private static String join(String path, String name) {
    return path.isEmpty() ? name : path + "." + name;
  }

  private static String kind(JsonNode node) {
    return node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
  }
}
