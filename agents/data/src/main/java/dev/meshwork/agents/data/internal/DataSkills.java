package dev.meshwork.agents.data.internal;

import dev.meshwork.agent.Json;
import dev.meshwork.agent.MeshAgent;
import dev.meshwork.agent.Parts;
import dev.meshwork.agent.SkillSpec;
import dev.meshwork.api.common.v1.FilePart;
import dev.meshwork.api.common.v1.Part;
import dev.meshwork.core.MeshException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** The data agent's skills: tables in (CSV or JSON), statistics or validation results out. */
public final class DataSkills {

  private DataSkills() {}

  /** Adds the skills to an agent. */
  public static MeshAgent.Builder addTo(MeshAgent.Builder agent) {
    return agent
        .skill(
            SkillSpec.builder("data.stats")
                .name("Table statistics")
                .description("Per-column statistics of a table given as CSV (text or text/csv"
                    + " file), a JSON array of objects, or a data part {\"rows\": [...]}:"
                    + " type, count, missing, distinct, top values; min, max, sum, mean,"
                    + " median and standard deviation of numeric columns.")
                .tags("data", "csv", "json")
                .inputModes("text/csv", "application/json")
                .outputModes("text/plain", "application/json")
                .examples("city,temp\nOslo,3\nRome,14")
                .build(),
            (ctx, input) -> stats(input))
        .skill(
            SkillSpec.builder("data.validate")
                .name("JSON Schema validation")
                .description("Validates a JSON document against a JSON Schema (a documented"
                    + " subset: type, enum, const, properties, required, additionalProperties,"
                    + " items, length, pattern, numeric bounds, allOf/anyOf/oneOf/not). Input:"
                    + " a data part {\"schema\": {...}, \"document\": ...}, or the schema in a"
                    + " data part and the document as JSON text.")
                .tags("data", "json", "validation")
                .inputModes("application/json")
                .outputModes("text/plain", "application/json")
                .build(),
            (ctx, input) -> validate(input));
  }

  static List<Part> stats(List<Part> input) {
    Table table = table(input);
    List<Object> columns = new ArrayList<>();
    StringBuilder text = new StringBuilder();
    text.append(table.rows().size()).append(" rows, ").append(table.columns().size())
        .append(" columns");
    for (int c = 0; c < table.columns().size(); c++) {
      Map<String, Object> stats = ColumnStats.of(table.columns().get(c), table.column(c));
      columns.add(stats);
      text.append("\n- ").append(stats.get("name")).append(" (").append(stats.get("type"))
          .append(")");
      if (stats.containsKey("mean")) {
        text.append(": min ").append(number(stats.get("min"))).append(", max ")
            .append(number(stats.get("max"))).append(", mean ").append(number(stats.get("mean")));
      }
      if (((Double) stats.get("missing")) > 0) {
        text.append(", ").append(number(stats.get("missing"))).append(" missing");
      }
    }
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("rows", (double) table.rows().size());
    data.put("columns", columns);
    return List.of(Parts.text(text.toString()), Parts.data(data));
  }

  static List<Part> validate(List<Part> input) {
    Map<String, Object> request =
        input.stream()
            .filter(Part::hasData)
            .map(p -> Parts.toMap(p.getData()))
            .filter(d -> d.containsKey("schema"))
            .findFirst()
            .orElseThrow(
                () -> MeshException.invalidArgument(
                    "input", "no schema (expected: a data part with a \"schema\" field)"));
    Document document = documentOf(request, input)
        .orElseThrow(
            () -> MeshException.invalidArgument(
                "input", "no document (expected: \"document\" next to \"schema\", or the"
                    + " document as JSON text or a JSON file part)"));
    SchemaValidator.Result result;
    try {
      result = SchemaValidator.validate(request.get("schema"), document.value());
    } catch (IllegalArgumentException e) {
      throw MeshException.invalidArgument("input.data.schema", e.getMessage());
    }
    List<Object> violations = new ArrayList<>();
    for (SchemaValidator.Violation v : result.violations()) {
      violations.add(Map.of("path", v.path(), "keyword", v.keyword(), "message", v.message()));
    }
    StringBuilder text = new StringBuilder(result.valid() ? "valid" : "invalid");
    result.violations().forEach(
        v -> text.append("\n- ").append(v.path()).append(": ").append(v.message()));
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("valid", result.valid());
    data.put("violations", violations);
    data.put("ignored_keywords", List.copyOf(result.ignoredKeywords()));
    return List.of(Parts.text(text.toString()), Parts.data(data));
  }

  /** A document, which may be JSON null. */
  private record Document(Object value) {}

  private static Optional<Document> documentOf(Map<String, Object> request, List<Part> input) {
    for (String key : List.of("document", "instance", "data")) {
      if (request.containsKey(key)) {
        return Optional.of(new Document(request.get(key)));
      }
    }
    for (int i = 0; i < input.size(); i++) {
      Part part = input.get(i);
      Optional<String> text = Parts.textOf(part);
      if (text.isPresent() && !text.get().isBlank()) {
        return Optional.of(new Document(parseJson(text.get(), "input[" + i + "]")));
      }
      if (part.hasData() && !part.getData().containsFields("schema")) {
        return Optional.of(new Document(Parts.toMap(part.getData())));
      }
    }
    return Optional.empty();
  }

  private static Table table(List<Part> input) {
    for (int i = 0; i < input.size(); i++) {
      Part part = input.get(i);
      String field = "input[" + i + "]";
      try {
        if (part.hasFile()) {
          FilePart file = part.getFile();
          String content = file.getContent().toString(StandardCharsets.UTF_8);
          return isJson(file) ? tableOfJson(parseJson(content, field), field)
              : Table.fromCsv(content);
        }
        if (part.hasText() && !part.getText().isBlank()) {
          String text = part.getText().strip();
          return text.startsWith("[") || text.startsWith("{")
              ? tableOfJson(parseJson(text, field), field)
              : Table.fromCsv(text);
        }
        if (part.hasData()) {
          Map<String, Object> data = Parts.toMap(part.getData());
          if (data.get("csv") instanceof String csv) {
            return Table.fromCsv(csv);
          }
          if (data.containsKey("rows")) {
            return tableOfJson(data, field);
          }
        }
      } catch (IllegalArgumentException e) {
        throw MeshException.invalidArgument(field, e.getMessage());
      }
    }
    throw MeshException.invalidArgument(
        "input", "no table (expected: CSV text, a JSON array of objects, a text/csv or JSON file"
            + " part, or a data part with \"rows\" or \"csv\")");
  }

  private static Table tableOfJson(Object json, String field) {
    if (json instanceof List<?> records) {
      return Table.fromRecords(records);
    }
    if (json instanceof Map<?, ?> map && map.get("rows") instanceof List<?> records) {
      return Table.fromRecords(records);
    }
    throw MeshException.invalidArgument(
        field, JsonTypes.typeOf(json) + " (expected: an array of objects, or {\"rows\": [...]})");
  }

  private static boolean isJson(FilePart file) {
    return file.getMediaType().toLowerCase(Locale.ROOT).contains("json")
        || file.getName().toLowerCase(Locale.ROOT).endsWith(".json");
  }

  private static Object parseJson(String text, String field) {
    try {
      return Json.parse(text);
    } catch (IllegalArgumentException e) {
      throw MeshException.invalidArgument(field, e.getMessage());
    }
  }

  private static String number(Object value) {
    double d = (Double) value;
    return d == Math.rint(d) && Math.abs(d) < 1e15 ? String.valueOf((long) d) : String.valueOf(d);
  }
}
