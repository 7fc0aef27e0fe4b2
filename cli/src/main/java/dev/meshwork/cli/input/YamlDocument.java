package dev.meshwork.cli.input;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.meshwork.cli.MeshctlException;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * A parsed YAML (or JSON, which is YAML) document that remembers the line of every node, so that
 * errors can say where the problem is.
 *
 * @param source what the text came from, for messages (a file name or an option)
 * @param tree the document
 * @param lines line number (1-based) of each node, by JSON pointer ({@code /steps/1/timeout})
 */
public record YamlDocument(String source, JsonNode tree, Map<String, Integer> lines) {

  private static final YAMLFactory FACTORY = YAMLFactory.builder().build();
  private static final YAMLMapper MAPPER =
      YAMLMapper.builder().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();

  /** Copies the map. */
  public YamlDocument {
    requireNonNull(source, "source");
    requireNonNull(tree, "tree");
    lines = Map.copyOf(lines);
  }

  /**
   * Parses {@code text}.
   *
   * @throws MeshctlException (usage) {@code <source>:<line>: malformed YAML: ...}, or for an empty
   *     document
   */
  public static YamlDocument parse(String source, String text) {
    requireNonNull(text, "text");
    Map<String, Integer> lines = new HashMap<>();
    JsonNode tree;
    try {
      try (JsonParser parser = FACTORY.createParser(text)) {
        parser.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        while (parser.nextToken() != null) {
          lines.putIfAbsent(
              parser.getParsingContext().pathAsPointer().toString(),
              parser.currentTokenLocation().getLineNr());
        }
      }
      tree = MAPPER.readTree(text);
    } catch (JacksonException e) {
      throw MeshctlException.usage(source + malformed(e), e);
    } catch (IOException e) {
      throw MeshctlException.usage(source + ": " + e.getMessage(), e);
    }
    if (tree == null || tree.isMissingNode() || tree.isNull()) {
      throw MeshctlException.usage(source + ": empty document");
    }
    return new YamlDocument(source, tree, lines);
  }

  /** {@code :<line>: malformed YAML: <problem> (<context>)}, on one line. */
  private static String malformed(JacksonException e) {
    if (e.getCause() instanceof MarkedYAMLException yaml && yaml.getProblemMark() != null) {
      String context = yaml.getContext() == null ? "" : " (" + yaml.getContext() + ")";
      return ":"
          + (yaml.getProblemMark().getLine() + 1)
          + ": malformed YAML: "
          + yaml.getProblem()
          + context;
    }
    String line = e.getLocation() == null ? "" : ":" + e.getLocation().getLineNr();
    String message = String.valueOf(e.getOriginalMessage()).lines().findFirst().orElse("");
    return line + ": malformed YAML: " + message;
  }

  /** The line of the node at {@code pointer}, else of its nearest ancestor that has one. */
  public int line(JsonPointer pointer) {
    for (JsonPointer p = pointer; p != null; p = p.head()) {
      Integer line = lines.get(p.toString());
      if (line != null) {
        return line;
      }
    }
    return 1;
  }

  /** {@code <source>:<line>: [<path>: ]<problem>}, as a usage error. */
  public MeshctlException error(JsonPointer pointer, String path, String problem) {
    String where = source + ":" + line(pointer) + ": ";
    return MeshctlException.usage(where + (path.isEmpty() ? "" : path + ": ") + problem);
  }
}
