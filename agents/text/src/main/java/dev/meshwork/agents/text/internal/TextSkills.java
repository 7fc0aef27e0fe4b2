package dev.meshwork.agents.text.internal;

import dev.meshwork.agent.MeshAgent;
import dev.meshwork.agent.Parts;
import dev.meshwork.agent.SkillSpec;
import dev.meshwork.api.common.v1.Part;
import dev.meshwork.core.MeshException;
import java.util.List;
import java.util.Map;

/** The text agent's skills: parts in, analysis out (a text rendering plus the structured data). */
public final class TextSkills {

  static final int DEFAULT_KEYWORDS = 10;
  static final int DEFAULT_SENTENCES = 3;

  private TextSkills() {}

  /** Adds the skills to an agent. */
  public static MeshAgent.Builder addTo(MeshAgent.Builder agent) {
    return agent
        .skill(
            SkillSpec.builder("text.keywords")
                .name("Keywords")
                .description("The most frequent content words of the text parts (stop words and"
                    + " numbers left out). Options in a data part: {\"max_keywords\": 10}.")
                .tags("text", "nlp")
                .inputModes("text/plain")
                .outputModes("text/plain", "application/json")
                .examples("Meshwork routes calls between agents; agents register skills.")
                .build(),
            (ctx, input) -> keywords(input))
        .skill(
            SkillSpec.builder("text.summarize")
                .name("Extractive summary")
                .description("The sentences that best cover the text's main words, in their"
                    + " original order. Options in a data part: {\"max_sentences\": 3}.")
                .tags("text", "nlp")
                .inputModes("text/plain")
                .outputModes("text/plain", "application/json")
                .build(),
            (ctx, input) -> summarize(input))
        .skill(
            SkillSpec.builder("text.sentiment")
                .name("Sentiment")
                .description("Positive, negative or neutral, by a word lexicon with negation and"
                    + " intensifiers; also the score and the words that counted.")
                .tags("text", "nlp")
                .inputModes("text/plain")
                .outputModes("text/plain", "application/json")
                .examples("The release was great, not terrible at all.")
                .build(),
            (ctx, input) -> sentiment(input));
  }

  static List<Part> keywords(List<Part> input) {
    String text = requireText(input);
    int limit = option(input, "max_keywords", DEFAULT_KEYWORDS, 1, 100);
    List<KeywordExtractor.Keyword> keywords = KeywordExtractor.extract(text, limit);
    return List.of(
        Parts.text(String.join(", ", keywords.stream().map(KeywordExtractor.Keyword::word)
            .toList())),
        Parts.data(
            Map.of(
                "keywords",
                keywords.stream()
                    .map(k -> Map.of("word", k.word(), "count", k.count(), "score", k.score()))
                    .toList())));
  }

  static List<Part> summarize(List<Part> input) {
    String text = requireText(input);
    int limit = option(input, "max_sentences", DEFAULT_SENTENCES, 1, 50);
    List<String> summary = Summarizer.summarize(text, limit);
    return List.of(
        Parts.text(String.join(" ", summary)),
        Parts.data(
            Map.of(
                "sentences", summary,
                "source_sentences", Words.sentences(text).size())));
  }

  static List<Part> sentiment(List<Part> input) {
    SentimentAnalyzer.Sentiment s = SentimentAnalyzer.analyze(requireText(input));
    return List.of(
        Parts.text(s.label()),
        Parts.data(
            Map.of(
                "label", s.label(),
                "score", s.score(),
                "comparative", s.comparative(),
                "positive", s.positive(),
                "negative", s.negative())));
  }

  private static String requireText(List<Part> input) {
    String text = Parts.allText(input);
    if (text.isBlank()) {
      throw MeshException.invalidArgument(
          "input", "no text (expected: at least one text part, or a text/* file part)");
    }
    return text;
  }

  private static int option(List<Part> input, String name, int fallback, int min, int max) {
    Object value = Parts.firstData(input).map(d -> d.get(name)).orElse(null);
    if (value == null) {
      return fallback;
    }
    if (!(value instanceof Double d) || d != Math.rint(d) || d < min || d > max) {
      throw MeshException.invalidArgument(
          "input.data." + name, value + " (expected: an integer " + min + ".." + max + ")");
    }
    return d.intValue();
  }
}
