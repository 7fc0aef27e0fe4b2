package dev.meshwork.gateway.internal;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import dev.meshwork.core.MeshException;

/**
 * The proto JSON mapping as the gateway speaks it: lowerCamelCase names on output (either name on
 * input), one line per message (an SSE {@code data:} line), and a strict parser that refuses
 * unknown fields and wrong types with an {@code INVALID_ARGUMENT} naming the field.
 */
public final class ProtoJson {

  private static final JsonFormat.Printer PRINTER =
      JsonFormat.printer().omittingInsignificantWhitespace();
  private static final JsonFormat.Parser PARSER = JsonFormat.parser();

  private ProtoJson() {}

  /** {@code message} as one line of JSON. */
  public static String print(MessageOrBuilder message) {
    try {
      return PRINTER.print(message);
    } catch (InvalidProtocolBufferException e) {
      // Only Any with an unregistered type fails to print; the contracts carry none.
      throw new IllegalStateException("cannot print " + message.getClass().getName(), e);
    }
  }

  /**
   * Merges {@code json} into {@code builder}.
   *
   * @throws MeshException {@code INVALID_ARGUMENT} with one violation per bad field (reason {@code
   *     MALFORMED_JSON} when {@code json} is not JSON)
   */
  public static void merge(String json, Message.Builder builder) {
    try {
      PARSER.merge(json, builder);
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      throw JsonViolations.refusal(builder.getDescriptorForType(), json, e);
    }
  }
}
