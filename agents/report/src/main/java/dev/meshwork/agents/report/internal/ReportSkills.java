package dev.meshwork.agents.report.internal;

import dev.meshwork.agent.MeshAgent;
import dev.meshwork.agent.Parts;
import dev.meshwork.agent.SkillContext;
import dev.meshwork.agent.SkillSpec;
import dev.meshwork.api.common.v1.Part;
import dev.meshwork.core.MeshException;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The report agent's skill: earlier outputs in, one Markdown document out. */
public final class ReportSkills {

  /** Keys of a data part that configures the report rather than being rendered in it. */
  static final Set<String> OPTION_KEYS = Set.of("title", "intro");

  private ReportSkills() {}

  /** Adds the skill to an agent. */
  public static MeshAgent.Builder addTo(MeshAgent.Builder agent) {
    return agent.skill(
        SkillSpec.builder("report.render")
            .name("Markdown report")
            .description("Renders the input parts (earlier skills' outputs) as one Markdown"
                + " document: text as paragraphs, data as tables, lists and sections, files"
                + " as an attachment list. A data part with only \"title\" and \"intro\" (or"
                + " call metadata \"title\") sets the heading.")
            .tags("report", "markdown")
            .inputModes("text/plain", "application/json")
            .outputModes("text/markdown")
            .build(),
        ReportSkills::render);
  }

  static List<Part> render(SkillContext context, List<Part> input) {
    if (input.isEmpty()) {
      throw MeshException.invalidArgument("input", "[] (expected: at least one part to report)");
    }
    String title = context.metadata().getOrDefault("title", "Report");
    String intro = null;
    for (Part part : input) {
      if (isOptions(part)) {
        Map<String, Object> options = Parts.toMap(part.getData());
        title = String.valueOf(options.getOrDefault("title", title));
        intro = options.containsKey("intro") ? String.valueOf(options.get("intro")) : intro;
      }
    }
    MarkdownRenderer md = new MarkdownRenderer().heading(1, title);
    if (intro != null) {
      md.paragraph(intro);
    }
    boolean attachmentsHeading = false;
    for (Part part : input) {
      switch (part.getKindCase()) {
        case TEXT -> md.paragraph(part.getText());
        case DATA -> {
          if (!isOptions(part)) {
            md.map(Parts.toMap(part.getData()), 2);
          }
        }
        case FILE -> {
          if (!attachmentsHeading) {
            md.heading(2, "Attachments");
            attachmentsHeading = true;
          }
          md.bullet("`" + (part.getFile().getName().isEmpty() ? "unnamed"
              : part.getFile().getName()) + "` (" + (part.getFile().getMediaType().isEmpty()
              ? "unknown type" : part.getFile().getMediaType()) + ", "
              + part.getFile().getContent().size() + " bytes)");
        }
        default -> {
          // An empty part: nothing to show.
        }
      }
    }
    return List.of(Parts.text(md.render()));
  }

  private static boolean isOptions(Part part) {
    return part.hasData()
        && !part.getData().getFieldsMap().isEmpty()
        && OPTION_KEYS.containsAll(part.getData().getFieldsMap().keySet());
  }
}
