package dev.meshwork.orchestrator.internal.expr;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.ListValue;
import com.google.protobuf.NullValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import dev.meshwork.api.common.v1.FilePart;
import dev.meshwork.api.common.v1.Part;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Conversions between protobuf values, payload parts and the JSON-like Java values expressions work
 * on ({@code Map<String, Object>}, {@code List<Object>}, {@code String}, {@code Double}, {@code
 * Boolean}, {@code null}).
 */
public final class Values {

  private static final JsonFormat.Printer COMPACT =
      JsonFormat.printer().omittingInsignificantWhitespace();

  private Values() {}

  /** A protobuf value as a Java value. */
  public static Object fromProto(Value value) {
    return switch (value.getKindCase()) {
      case NULL_VALUE, KIND_NOT_SET -> null;
      case NUMBER_VALUE -> value.getNumberValue();
      case STRING_VALUE -> value.getStringValue();
      case BOOL_VALUE -> value.getBoolValue();
      case STRUCT_VALUE -> fromStruct(value.getStructValue());
      case LIST_VALUE -> {
        List<Object> list = new ArrayList<>();
        for (Value v : value.getListValue().getValuesList()) {
          list.add(fromProto(v));
        }
        yield list;
      }
    };
  }

  /** A struct as a map (insertion-ordered). */
  public static Map<String, Object> fromStruct(Struct struct) {
    Map<String, Object> map = new LinkedHashMap<>();
    struct.getFieldsMap().forEach((k, v) -> map.put(k, fromProto(v)));
    return map;
  }

  /** A Java value as a protobuf value; unknown types become their string form. */
  public static Value toProto(Object value) {
    if (value == null) {
      return Value.newBuilder().setNullValue(NullValue.NULL_VALUE).build();
    }
    if (value instanceof String s) {
      return Value.newBuilder().setStringValue(s).build();
    }
    if (value instanceof Number n) {
      return Value.newBuilder().setNumberValue(n.doubleValue()).build();
    }
    if (value instanceof Boolean b) {
      return Value.newBuilder().setBoolValue(b).build();
    }
    if (value instanceof Map<?, ?> map) {
      return Value.newBuilder().setStructValue(toStruct(map)).build();
    }
    if (value instanceof List<?> list) {
      ListValue.Builder lb = ListValue.newBuilder();
      for (Object element : list) {
        lb.addValues(toProto(element));
      }
      return Value.newBuilder().setListValue(lb).build();
    }
    return Value.newBuilder().setStringValue(value.toString()).build();
  }

  /** A map as a struct. */
  public static Struct toStruct(Map<?, ?> map) {
    Struct.Builder sb = Struct.newBuilder();
    map.forEach((k, v) -> sb.putFields(String.valueOf(k), toProto(v)));
    return sb.build();
  }

  /**
   * A step output as a value: a single text part is its string, a single data part its map, a file
   * part a map {@code {name, media_type, content (base64)}}; several (or no) parts are a list.
   */
  public static Object fromParts(List<Part> parts) {
    if (parts.size() == 1) {
      return fromPart(parts.get(0));
    }
    return listOfParts(parts);
  }

  /** Each part as a value, in order (the output of a fan-in step). */
  public static List<Object> listOfParts(List<Part> parts) {
    List<Object> list = new ArrayList<>(parts.size());
    for (Part part : parts) {
      list.add(fromPart(part));
    }
    return list;
  }

  /** One part as a value. */
  public static Object fromPart(Part part) {
    return switch (part.getKindCase()) {
      case TEXT -> part.getText();
      case DATA -> fromStruct(part.getData());
      case FILE -> {
        Map<String, Object> file = new LinkedHashMap<>();
        file.put("name", part.getFile().getName());
        file.put("media_type", part.getFile().getMediaType());
        file.put(
            "content",
            Base64.getEncoder().encodeToString(part.getFile().getContent().toByteArray()));
        yield file;
      }
      case KIND_NOT_SET -> null;
    };
  }

  /** A rendered value as payload parts: a list is one part per element, anything else one part. */
  public static List<Part> toParts(Object value) {
    if (value instanceof List<?> list) {
      List<Part> parts = new ArrayList<>(list.size());
      for (Object element : list) {
        parts.add(toPart(element));
      }
      return parts;
    }
    return List.of(toPart(value));
  }

  /** A value as one part: a map is a data part, a list a data part {@code {items: [...]}}. */
  public static Part toPart(Object value) {
    if (value instanceof Map<?, ?> map) {
      if (looksLikeFile(map)) {
        return Part.newBuilder()
            .setFile(
                FilePart.newBuilder()
                    .setName(String.valueOf(map.get("name")))
                    .setMediaType(String.valueOf(map.get("media_type")))
                    .setContent(
                        ByteString.copyFrom(
                            Base64.getDecoder().decode(String.valueOf(map.get("content"))))))
            .build();
      }
      return Part.newBuilder().setData(toStruct(map)).build();
    }
    if (value instanceof List<?> list) {
      return Part.newBuilder().setData(toStruct(Map.of("items", list))).build();
    }
    return Part.newBuilder().setText(toText(value)).build();
  }

  private static boolean looksLikeFile(Map<?, ?> map) {
    if (map.size() != 3
        || !(map.get("content") instanceof String content)
        || !(map.get("name") instanceof String)
        || !(map.get("media_type") instanceof String)) {
      return false;
    }
    try {
      Base64.getDecoder().decode(content);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * A value as text for interpolation: strings as they are, whole numbers without a fraction, null
   * as the empty string, maps and lists as compact JSON.
   */
  public static String toText(Object value) {
    if (value == null) {
      return "";
    }
    if (value instanceof String s) {
      return s;
    }
    if (value instanceof Double d) {
      if (d == Math.rint(d) && !Double.isInfinite(d) && Math.abs(d) < 1e15) {
        return Long.toString(d.longValue());
      }
      return d.toString();
    }
    if (value instanceof Map<?, ?> || value instanceof List<?>) {
      try {
        return COMPACT.print(toProto(value));
      } catch (InvalidProtocolBufferException e) {
        throw new IllegalStateException("cannot print a JSON value", e);
      }
    }
    return value.toString();
  }
}
