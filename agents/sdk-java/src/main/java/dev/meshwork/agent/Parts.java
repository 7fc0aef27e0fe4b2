package dev.meshwork.agent;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.ByteString;
import com.google.protobuf.Struct;
import dev.meshwork.agent.internal.Structs;
import dev.meshwork.api.common.v1.FilePart;
import dev.meshwork.api.common.v1.Part;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/** Builds and reads the {@link Part}s skills exchange. */
public final class Parts {

  private Parts() {}

  /** A text part. */
  public static Part text(String text) {
    return Part.newBuilder().setText(requireNonNull(text, "text")).build();
  }

  /** A data part. */
  public static Part data(Struct data) {
    return Part.newBuilder().setData(requireNonNull(data, "data")).build();
  }

  /**
   * A data part from plain Java values (maps, lists, strings, numbers, booleans, null).
   *
   * @throws IllegalArgumentException for a value JSON cannot hold
   */
  public static Part data(Map<String, ?> data) {
    return data(Structs.toStruct(requireNonNull(data, "data")));
  }

  /** A file part. */
  public static Part file(String name, String mediaType, byte[] content) {
    return Part.newBuilder()
        .setFile(
            FilePart.newBuilder()
                .setName(requireNonNull(name, "name"))
                .setMediaType(requireNonNull(mediaType, "mediaType"))
                .setContent(ByteString.copyFrom(content)))
        .build();
  }

  /**
   * The text of every part that has some: text parts as they are, file parts with a {@code text/*}
   * media type (or none) decoded as UTF-8, joined by blank lines.
   */
  public static String allText(List<Part> parts) {
    return parts.stream()
        .map(Parts::textOf)
        .flatMap(Optional::stream)
        .collect(Collectors.joining("\n\n"));
  }

  /** The text a part carries, if it is text or a textual file. */
  public static Optional<String> textOf(Part part) {
    if (part.hasText()) {
      return Optional.of(part.getText());
    }
    if (part.hasFile()) {
      String type = part.getFile().getMediaType();
      if (type.isEmpty() || type.startsWith("text/") || type.endsWith("json")) {
        return Optional.of(part.getFile().getContent().toString(StandardCharsets.UTF_8));
      }
    }
    return Optional.empty();
  }

  /** The first data part, as plain Java values. */
  public static Optional<Map<String, Object>> firstData(List<Part> parts) {
    return parts.stream().filter(Part::hasData).findFirst().map(p -> Structs.toMap(p.getData()));
  }

  /** The plain Java values of a Struct (numbers as Double). */
  public static Map<String, Object> toMap(Struct struct) {
    return Structs.toMap(struct);
  }
}
