package dev.meshwork.gateway.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import com.linecorp.armeria.common.QueryParams;
import dev.meshwork.core.FieldViolation;
import dev.meshwork.core.MeshException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds a request message from path variables and query parameters, following the {@code
 * google.api.http} rules for fields outside the body (a parameter names a field path, {@code
 * filter.skill_id} or {@code filter.skillId}; a repeated field takes the parameter repeated; maps
 * and messages only travel in a body), but strictly: an unknown parameter or a value of the wrong
 * type is an {@code INVALID_ARGUMENT} naming it, where transcoders usually drop or garble it.
 */
public final class RequestBinder {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private RequestBinder() {}

  /**
   * Merges {@code variables} and {@code query} (but the parameters in {@code ignored}) into {@code
   * builder}.
   *
   * @throws MeshException {@code INVALID_ARGUMENT} listing every bad parameter
   */
  public static void bind(
      Message.Builder builder,
      Map<String, String> variables,
      QueryParams query,
      Set<String> ignored) {
    if (variables.isEmpty() && query.isEmpty()) {
      return; // nothing to merge: skip building and parsing an empty document
    }
    Descriptor type = builder.getDescriptorForType();
    ObjectNode root = MAPPER.createObjectNode();
    List<FieldViolation> violations = new ArrayList<>();
    variables.forEach((name, value) -> put(root, type, name, List.of(value), violations));
    for (String name : query.names()) {
      if (!ignored.contains(name)) {
        put(root, type, name, query.getAll(name), violations);
      }
    }
    if (!violations.isEmpty()) {
      throw MeshException.invalidArgument(violations);
    }
    ProtoJson.merge(root.toString(), builder);
  }

  private static void put(
      ObjectNode root,
      Descriptor type,
      String name,
      List<String> values,
      List<FieldViolation> out) {
    String[] parts = name.split("\\.", -1);
    ObjectNode node = root;
    Descriptor current = type;
    for (int i = 0; i < parts.length - 1; i++) {
      FieldDescriptor field = JsonViolations.find(current, parts[i]);
      if (field == null || !JsonViolations.isPlainMessage(field) || field.isRepeated()) {
        out.add(unknown(name, parts[i], current));
        return;
      }
      JsonNode child = node.get(field.getName());
      node = child instanceof ObjectNode object ? object : node.putObject(field.getName());
      current = field.getMessageType();
    }
    String leaf = parts[parts.length - 1];
    FieldDescriptor field = JsonViolations.find(current, leaf);
    if (field == null) {
      out.add(unknown(name, leaf, current));
      return;
    }
    if (field.isMapField() || JsonViolations.isPlainMessage(field)) {
      out.add(
          new FieldViolation(
              name, "a message or map field cannot be a query parameter; send it in a body"));
      return;
    }
    if (field.isRepeated()) {
      ArrayNode array = node.putArray(field.getName());
      values.forEach(v -> array.add(scalar(field, v)));
      return;
    }
    if (values.size() > 1) {
      out.add(new FieldViolation(name, "given " + values.size() + " times (expected: once)"));
      return;
    }
    node.set(field.getName(), scalar(field, values.get(0)));
  }

  /** A text value as JSON: numbers and enums parse from strings; booleans need the literal. */
  private static JsonNode scalar(FieldDescriptor field, String value) {
    if (field.getJavaType() == FieldDescriptor.JavaType.BOOLEAN
        && (value.equals("true") || value.equals("false"))) {
      return BooleanNode.valueOf(Boolean.parseBoolean(value));
    }
    return TextNode.valueOf(value);
  }

  private static FieldViolation unknown(String name, String part, Descriptor type) {
    return new FieldViolation(
        name, "unknown parameter: " + type.getFullName() + " has no field '" + part + "'");
  }
}
