package dev.meshwork.agents.data.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshwork.agent.Json;
import dev.meshwork.agent.Parts;
import dev.meshwork.api.common.v1.Part;
import dev.meshwork.core.MeshException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DataSkillsTest {

  private static final String CSV =
      "city,temp,sunny\n"
          + "Oslo,3,false\n"
          + "\"Rome, IT\",14,true\n"
          + "Oslo,,true\n"
          + "Lima,20.5,true\n";

  @Test
  void csv_quotedFieldsAndCrLf_parsed() {
    List<List<String>> records = Csv.parse("a;b\r\n\"x;\"\"y\"\"\";2\r\n");

    assertThat(records).containsExactly(List.of("a", "b"), List.of("x;\"y\"", "2"));
  }

  @Test
  void csv_unterminatedQuote_failsNamingTheLine() {
    assertThatThrownBy(() -> Csv.parse("a,b\n1,\"oops\n"))
        .hasMessage("unterminated quote opened on line 2");
  }

  @Test
  void stats_csvText_describesEveryColumn() {
    List<Part> out = DataSkills.stats(List.of(Parts.text(CSV)));

    Map<String, Object> data = Parts.firstData(out).orElseThrow();
    assertThat(data).containsEntry("rows", 4.0);
    Map<String, Object> city = column(out, 0);
    Map<String, Object> temp = column(out, 1);
    Map<String, Object> sunny = column(out, 2);
    assertThat(city).containsEntry("type", "string").containsEntry("distinct", 3.0);
    assertThat(((List<?>) city.get("top")).get(0)).isEqualTo(Map.of("value", "Oslo", "count", 2.0));
    assertThat(temp)
        .containsEntry("type", "number")
        .containsEntry("missing", 1.0)
        .containsEntry("min", 3.0)
        .containsEntry("max", 20.5)
        .containsEntry("median", 14.0)
        .containsEntry("mean", 12.5);
    assertThat((Double) temp.get("stddev"))
        .isCloseTo(8.8459, org.assertj.core.data.Offset.offset(1e-4));
    assertThat(sunny).containsEntry("type", "boolean");
    assertThat(out.get(0).getText())
        .startsWith("4 rows, 3 columns\n- city (string)\n- temp (number): min 3, max 20.5,"
            + " mean 12.5, 1 missing");
  }

  @Test
  void stats_jsonFile_readsRecords() {
    String json = "[{\"n\": 1, \"tag\": \"a\"}, {\"n\": 2}, {\"n\": 4, \"tag\": \"b\"}]";
    List<Part> out =
        DataSkills.stats(
            List.of(Parts.file("rows.json", "application/json",
                json.getBytes(StandardCharsets.UTF_8))));

    assertThat(column(out, 0)).containsEntry("name", "n").containsEntry("sum", 7.0);
    assertThat(column(out, 1)).containsEntry("name", "tag").containsEntry("missing", 1.0);
  }

  @Test
  void stats_dataPartRows_readsRecords() {
    List<Part> out =
        DataSkills.stats(
            List.of(Parts.data(Map.of("rows", List.of(Map.of("x", 1), Map.of("x", 3))))));

    assertThat(column(out, 0)).containsEntry("mean", 2.0);
  }

  @Test
  void stats_numericLookingJunk_staysString() {
    List<Part> out = DataSkills.stats(List.of(Parts.text("v\nNaN\n5d\n0x10\n")));

    assertThat(column(out, 0)).containsEntry("type", "string");
  }

  @Test
  void stats_noTable_invalidArgument() {
    assertThatThrownBy(() -> DataSkills.stats(List.of(Parts.data(Map.of("x", 1)))))
        .isInstanceOfSatisfying(
            MeshException.class,
            e -> assertThat(e.violations().get(0).field()).isEqualTo("input"));
  }

  @Test
  void stats_jsonScalar_invalidArgumentNamingThePart() {
    assertThatThrownBy(() -> DataSkills.stats(List.of(Parts.text("{\"a\": 1}"))))
        .isInstanceOfSatisfying(
            MeshException.class,
            e -> {
              assertThat(e.violations().get(0).field()).isEqualTo("input[0]");
              assertThat(e.violations().get(0).description())
                  .isEqualTo("object (expected: an array of objects, or {\"rows\": [...]})");
            });
  }

  @Test
  void validate_validDocument_isValid() {
    Object schema = Json.parse(
        "{\"type\": \"object\", \"required\": [\"name\"], \"properties\": {"
            + "\"name\": {\"type\": \"string\", \"minLength\": 1},"
            + "\"age\": {\"type\": \"integer\", \"minimum\": 0}}}");
    List<Part> out =
        DataSkills.validate(
            List.of(Parts.data(
                Map.of("schema", schema, "document", Map.of("name", "Ada", "age", 36)))));

    assertThat(out.get(0).getText()).isEqualTo("valid");
    assertThat(Parts.firstData(out).orElseThrow()).containsEntry("valid", true);
  }

  @Test
  void validate_invalidJsonTextDocument_listsEveryViolation() {
    Object schema = Json.parse(
        "{\"type\": \"object\", \"required\": [\"name\", \"tags\"],"
            + " \"additionalProperties\": false, \"properties\": {"
            + "\"name\": {\"type\": \"string\", \"pattern\": \"^[A-Z]\"},"
            + "\"age\": {\"type\": \"integer\", \"maximum\": 150},"
            + "\"tags\": {\"type\": \"array\", \"items\": {\"enum\": [\"a\", \"b\"]},"
            + " \"uniqueItems\": true}}, \"x-ui\": {}}");
    List<Part> out =
        DataSkills.validate(
            List.of(
                Parts.data(Map.of("schema", schema)),
                Parts.text("{\"name\": \"ada\", \"age\": 200.5, \"nick\": \"A\"}")));

    Map<String, Object> data = Parts.firstData(out).orElseThrow();
    assertThat(data).containsEntry("valid", false);
    assertThat(data.get("ignored_keywords")).isEqualTo(List.of("x-ui"));
    assertThat((List<?>) data.get("violations"))
        .extracting(v -> ((Map<?, ?>) v).get("path") + " " + ((Map<?, ?>) v).get("keyword"))
        .containsExactlyInAnyOrder(
            "$ required", "$.name pattern", "$.age type", "$.age maximum",
            "$.nick additionalProperties");
  }

  @Test
  void validate_arrayItems_pathsIndexItems() {
    SchemaValidator.Result result =
        SchemaValidator.validate(
            Json.parse("{\"type\": \"array\", \"items\": {\"type\": \"number\"}, \"maxItems\": 2}"),
            Json.parse("[1, \"two\", 3]"));

    assertThat(result.violations())
        .containsExactly(
            new SchemaValidator.Violation("$", "maxItems", "3 items (expected: at most 2)"),
            new SchemaValidator.Violation("$[1]", "type", "expected number, got string"));
  }

  @Test
  void validate_oneOfAndNot_areChecked() {
    Object schema = Json.parse(
        "{\"oneOf\": [{\"type\": \"integer\"}, {\"type\": \"number\"}], \"not\": {\"const\": 7}}");

    assertThat(SchemaValidator.validate(schema, 2.5).valid()).isTrue();
    assertThat(SchemaValidator.validate(schema, 3.0).violations())
        .extracting(SchemaValidator.Violation::keyword).containsExactly("oneOf");
    assertThat(SchemaValidator.validate(schema, 7.0).violations())
        .extracting(SchemaValidator.Violation::keyword).containsExactly("oneOf", "not");
  }

  @Test
  void validate_badPatternInSchema_invalidArgumentOnSchema() {
    assertThatThrownBy(
            () -> DataSkills.validate(
                List.of(Parts.data(Map.of("schema", Map.of("pattern", "("), "document", "x")))))
        .isInstanceOfSatisfying(
            MeshException.class,
            e -> {
              assertThat(e.violations().get(0).field()).isEqualTo("input.data.schema");
              assertThat(e.violations().get(0).description())
                  .isEqualTo("#/pattern: '(' (expected: a regular expression)");
            });
  }

  @Test
  void validate_noSchema_invalidArgument() {
    assertThatThrownBy(() -> DataSkills.validate(List.of(Parts.text("{}"))))
        .isInstanceOfSatisfying(
            MeshException.class,
            e -> assertThat(e.violations().get(0).description())
                .startsWith("no schema"));
  }

  @SuppressWarnings("unchecked") // the data part's JSON structure
  private static Map<String, Object> column(List<Part> out, int index) {
    List<Object> columns = (List<Object>) Parts.firstData(out).orElseThrow().get("columns");
    return (Map<String, Object>) columns.get(index);
  }
}
