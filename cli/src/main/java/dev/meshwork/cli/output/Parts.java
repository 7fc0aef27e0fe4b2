package dev.meshwork.cli.output;

import dev.meshwork.api.common.v1.FilePart;
import dev.meshwork.api.common.v1.Part;
import java.util.List;
import java.util.Locale;

/** Payload parts as text: text as is, data as one-line JSON, files by name, type and size. */
public final class Parts {

  private Parts() {}

  /** One part. */
  public static String render(Part part) {
    return switch (part.getKindCase()) {
      case TEXT -> part.getText();
      case DATA -> ProtoJson.compactJson(part.getData());
      case FILE -> file(part.getFile());
      case KIND_NOT_SET -> "(empty part)";
    };
  }

  /** Every part, one per line. */
  public static String render(List<Part> parts) {
    return String.join("\n", parts.stream().map(Parts::render).toList());
  }

  private static String file(FilePart file) {
    String name = file.getName().isEmpty() ? "(unnamed)" : file.getName();
    String type = file.getMediaType().isEmpty() ? "" : file.getMediaType() + ", ";
    return String.format(
        Locale.ROOT, "<file %s (%s%d bytes)>", name, type, file.getContent().size());
  }
}
