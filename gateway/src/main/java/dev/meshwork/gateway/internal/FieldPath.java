package dev.meshwork.gateway.internal;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A dotted path of singular fields into a message type ({@code event.sequence}), resolved once
 * against the descriptor so that a contract change fails at startup, not per event.
 *
 * @param fields the fields from the root message down
 */
record FieldPath(List<FieldDescriptor> fields) {

  FieldPath {
    fields = List.copyOf(fields);
    if (fields.isEmpty()) {
      throw new IllegalArgumentException("fields: [] (expected: at least one)");
    }
  }

  /**
   * Resolves {@code path} in {@code type}.
   *
   * @throws IllegalArgumentException when a field is missing, repeated, or not the last one yet not
   *     a message
   */
  static FieldPath resolve(Descriptor type, String path) {
    requireNonNull(type, "type");
    List<FieldDescriptor> fields = new ArrayList<>();
    Descriptor current = type;
    String[] parts = path.split("\\.");
    for (int i = 0; i < parts.length; i++) {
      if (current == null) {
        throw new IllegalArgumentException(path + ": '" + parts[i - 1] + "' is not a message");
      }
      FieldDescriptor field = current.findFieldByName(parts[i]);
      if (field == null || field.isRepeated()) {
        throw new IllegalArgumentException(
            path + ": " + current.getFullName() + " has no singular field '" + parts[i] + "'");
      }
      fields.add(field);
      current =
          field.getJavaType() == FieldDescriptor.JavaType.MESSAGE ? field.getMessageType() : null;
    }
    return new FieldPath(fields);
  }

  /** The last field. */
  FieldDescriptor leaf() {
    return fields.get(fields.size() - 1);
  }

  /**
   * The value at the path as text (enum values by name, numbers in decimal); empty when a message
   * on the way is not set (a response whose oneof holds another field).
   */
  Optional<String> text(Message message) {
    Message current = message;
    for (int i = 0; i < fields.size() - 1; i++) {
      if (!current.hasField(fields.get(i))) {
        return Optional.empty();
      }
      current = (Message) current.getField(fields.get(i));
    }
    Object value = current.getField(leaf());
    return Optional.of(
        value instanceof EnumValueDescriptor e ? e.getName() : String.valueOf(value));
  }
}
