package dev.meshwork.cli.output;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;

/**
 * Prints messages in the proto JSON mapping, with the proto field names ({@code run_id}, {@code
 * depends_on}): the same names users write in workflow YAML, so output can be edited and fed back.
 */
public final class ProtoJson {

  private static final JsonFormat.Printer PRETTY = JsonFormat.printer().preservingProtoFieldNames();
  private static final JsonFormat.Printer COMPACT = PRETTY.omittingInsignificantWhitespace();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final YAMLMapper YAML =
      YAMLMapper.builder()
          .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
          .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
          .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
          .build();

  private ProtoJson() {}

  /** Indented JSON. */
  public static String json(MessageOrBuilder message) {
    try {
      return PRETTY.print(message);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("cannot print " + message.getClass().getSimpleName(), e);
    }
  }

  /** JSON on one line. */
  public static String compactJson(MessageOrBuilder message) {
    try {
      return COMPACT.print(message);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("cannot print " + message.getClass().getSimpleName(), e);
    }
  }

  /** YAML (block style, no document marker), ending with a newline. */
  public static String yaml(MessageOrBuilder message) {
    try {
      JsonNode tree = JSON.readTree(json(message));
      return YAML.writeValueAsString(tree);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot print " + message.getClass().getSimpleName(), e);
    }
  }
}
