package dev.meshwork.agent;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import dev.meshwork.agent.internal.Structs;

/**
 * JSON text to and from plain Java values (maps, lists, strings, doubles, booleans, null), the
 * same values {@link Parts#data} and {@link Parts#firstData} use. Backed by protobuf's JSON
 * support, so agents need no other JSON library.
 */
public final class Json {

  private static final JsonFormat.Parser PARSER = JsonFormat.parser();
  private static final JsonFormat.Printer PRINTER = JsonFormat.printer();
  private static final JsonFormat.Printer COMPACT =
      JsonFormat.printer().omittingInsignificantWhitespace();

  private Json() {}

  /**
   * Parses JSON text (any value, not only objects); numbers become doubles.
   *
   * @throws IllegalArgumentException for malformed JSON, with the parser's message
   */
  public static Object parse(String json) {
    requireNonNull(json, "json");
    Value.Builder value = Value.newBuilder();
    try {
      PARSER.merge(json, value);
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      throw new IllegalArgumentException("malformed JSON: " + e.getMessage(), e);
    }
    return Structs.toJava(value.build());
  }

  /** Writes a plain Java value as indented JSON. */
  public static String write(Object value) {
    return print(PRINTER, value);
  }

  /** Writes a plain Java value as compact JSON. */
  public static String writeCompact(Object value) {
    return print(COMPACT, value);
  }

  private static String print(JsonFormat.Printer printer, Object value) {
    try {
      return printer.print(Structs.toValue(value));
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("value cannot be written as JSON: " + e.getMessage(), e);
    }
  }
}
