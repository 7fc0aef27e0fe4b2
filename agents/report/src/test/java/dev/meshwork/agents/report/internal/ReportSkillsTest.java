package dev.meshwork.agents.report.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshwork.agent.Parts;
import dev.meshwork.agent.TestSkillContext;
import dev.meshwork.core.MeshException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReportSkillsTest {

  private static final TestSkillContext CONTEXT = TestSkillContext.of("report.render");

  @Test
  void render_earlierOutputs_producesMarkdownDocument() {
    Map<String, Object> sentiment = new LinkedHashMap<>();
    sentiment.put("label", "positive");
    sentiment.put("score", 5.0);
    sentiment.put("comparative", 0.41666);
    sentiment.put("positive", List.of("great", "helpful"));

    String markdown =
        ReportSkills.render(
                CONTEXT,
                List.of(
                    Parts.data(Map.of("title", "Weekly digest", "intro", "What changed.")),
                    Parts.text("The release shipped on time."),
                    Parts.data(Map.of("keywords", List.of(
                        ordered("word", "release", "count", 3.0),
                        ordered("word", "agents", "count", 2.0)))),
                    Parts.data(sentiment),
                    Parts.file("data.csv", "text/csv", "a,b\n".getBytes(StandardCharsets.UTF_8))))
            .get(0)
            .getText();

    assertThat(markdown)
        .isEqualTo(
            "# Weekly digest\n"
                + "\n"
                + "What changed.\n"
                + "\n"
                + "The release shipped on time.\n"
                + "\n"
                + "## Keywords\n"
                + "\n"
                + "| Word | Count |\n"
                + "|---|---|\n"
                + "| release | 3 |\n"
                + "| agents | 2 |\n"
                + "\n"
                + "| Field | Value |\n"
                + "|---|---|\n"
                + "| Label | positive |\n"
                + "| Score | 5 |\n"
                + "| Comparative | 0.4167 |\n"
                + "| Positive | great, helpful |\n"
                + "\n"
                + "## Attachments\n"
                + "- `data.csv` (text/csv, 4 bytes)\n");
  }

  @Test
  void render_titleFromMetadata_usedWhenNoOptionsPart() {
    String markdown =
        ReportSkills.render(
                CONTEXT.withMetadata(Map.of("title", "Run 42")), List.of(Parts.text("Done.")))
            .get(0)
            .getText();

    assertThat(markdown).isEqualTo("# Run 42\n\nDone.\n");
  }

  @Test
  void render_nestedData_becomesSubsections() {
    Map<String, Object> stats = new LinkedHashMap<>();
    stats.put("rows", 2.0);
    stats.put("columns", List.of(ordered("name", "temp", "mean", 8.5)));
    stats.put("source", Map.of("file", "x.csv"));

    String markdown =
        ReportSkills.render(CONTEXT, List.of(Parts.data(stats))).get(0).getText();

    assertThat(markdown)
        .contains("| Rows | 2 |")
        .contains("## Columns\n\n| Name | Mean |\n|---|---|\n| temp | 8.5 |")
        .contains("## Source\n\n| Field | Value |\n|---|---|\n| File | x.csv |");
  }

  @Test
  void render_pipeInCell_isEscaped() {
    String markdown =
        ReportSkills.render(CONTEXT, List.of(Parts.data(Map.of("rule", "a|b")))).get(0).getText();

    assertThat(markdown).contains("| Rule | a\\|b |");
  }

  @Test
  void render_noInput_invalidArgument() {
    assertThatThrownBy(() -> ReportSkills.render(CONTEXT, List.of()))
        .isInstanceOf(MeshException.class)
        .hasMessage("input: [] (expected: at least one part to report)");
  }

  /** A map keeping the given order (Map.of does not, and the rendering follows map order). */
  private static Map<String, Object> ordered(Object... keysAndValues) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      map.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return map;
  }

  @Test
  void humanize_keys_readable() {
    assertThat(MarkdownRenderer.humanize("source_sentences")).isEqualTo("Source sentences");
    assertThat(MarkdownRenderer.humanize("inFlight")).isEqualTo("In flight");
  }
}
