package dev.meshwork.gateway.internal;

import static java.util.Objects.requireNonNull;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A {@code google.api.http} path template of the simple kind the contracts use: literal segments,
 * whole-segment variables ({@code {run_id}} or {@code {run_id=*}}) and an optional {@code :verb}
 * suffix, for example {@code /v1/runs/{run_id}/events} or {@code /v1/instances:watch}.
 *
 * @param template the template as written in the proto
 * @param segments the segments between slashes, variables as {@code {name}}
 * @param verb the custom verb, empty when none
 */
public record PathTemplate(String template, List<String> segments, String verb) {

  private static final Pattern VARIABLE = Pattern.compile("\\{([a-z_][a-z0-9_.]*)(=\\*)?}");
  private static final Pattern LITERAL = Pattern.compile("[A-Za-z0-9._~-]+");

  /** Validates the parts. */
  public PathTemplate {
    requireNonNull(template, "template");
    segments = List.copyOf(segments);
    requireNonNull(verb, "verb");
  }

  /**
   * Parses a template.
   *
   * @throws IllegalArgumentException for a template outside the supported subset (for example a
   *     multi-segment variable {@code {name=projects/*}})
   */
  public static PathTemplate parse(String template) {
    requireNonNull(template, "template");
    if (!template.startsWith("/") || template.length() < 2) {
      throw new IllegalArgumentException("path template '" + template + "' (expected: /...)");
    }
    String path = template;
    String verb = "";
    int colon = template.lastIndexOf(':');
    if (colon > template.lastIndexOf('/') && colon > template.lastIndexOf('}')) {
      verb = template.substring(colon + 1);
      path = template.substring(0, colon);
      if (!LITERAL.matcher(verb).matches()) {
        throw new IllegalArgumentException("path template '" + template + "': bad verb");
      }
    }
    List<String> segments = new ArrayList<>();
    for (String segment : path.substring(1).split("/", -1)) {
      if (segment.startsWith("{")) {
        var m = VARIABLE.matcher(segment);
        if (!m.matches()) {
          throw new IllegalArgumentException(
              "path template '"
                  + template
                  + "': variable "
                  + segment
                  + " is not supported"
                  + " (expected: {field} or {field=*})");
        }
        segments.add("{" + m.group(1) + "}");
      } else if (LITERAL.matcher(segment).matches()) {
        segments.add(segment);
      } else {
        throw new IllegalArgumentException(
            "path template '" + template + "': bad segment '" + segment + "'");
      }
    }
    return new PathTemplate(template, segments, verb);
  }

  /** The variables' field paths, in order. */
  public List<String> variables() {
    return segments.stream()
        .filter(PathTemplate::isVariable)
        .map(s -> s.substring(1, s.length() - 1))
        .toList();
  }

  /** An Armeria path pattern ({@code exact:} or {@code regex:}) matching the same paths. */
  public String armeriaPattern() {
    if (variables().isEmpty()) {
      return "exact:" + literalPath();
    }
    StringBuilder regex = new StringBuilder("regex:^");
    for (String segment : segments) {
      regex.append('/').append(isVariable(segment) ? "[^/:]+" : Pattern.quote(segment));
    }
    if (!verb.isEmpty()) {
      regex.append(Pattern.quote(":" + verb));
    }
    return regex.append('$').toString();
  }

  /** The variables of {@code path} (percent-decoded) when it matches, by field path. */
  public Optional<Map<String, String>> match(String path) {
    requireNonNull(path, "path");
    String rest = path;
    if (!verb.isEmpty()) {
      if (!rest.endsWith(":" + verb)) {
        return Optional.empty();
      }
      rest = rest.substring(0, rest.length() - verb.length() - 1);
    }
    if (!rest.startsWith("/")) {
      return Optional.empty();
    }
    String[] parts = rest.substring(1).split("/", -1);
    if (parts.length != segments.size()) {
      return Optional.empty();
    }
    Map<String, String> variables = new LinkedHashMap<>();
    for (int i = 0; i < parts.length; i++) {
      String segment = segments.get(i);
      if (isVariable(segment)) {
        if (parts[i].isEmpty()) {
          return Optional.empty();
        }
        variables.put(segment.substring(1, segment.length() - 1), decode(parts[i]));
      } else if (!segment.equals(parts[i])) {
        return Optional.empty();
      }
    }
    return Optional.of(variables);
  }

  private String literalPath() {
    return "/" + String.join("/", segments) + (verb.isEmpty() ? "" : ":" + verb);
  }

  private static boolean isVariable(String segment) {
    return segment.startsWith("{");
  }

  private static String decode(String segment) {
    // URLDecoder is for forms: keep a literal '+' a plus.
    return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
  }
}
