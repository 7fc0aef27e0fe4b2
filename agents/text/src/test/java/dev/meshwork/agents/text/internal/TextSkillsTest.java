package dev.meshwork.agents.text.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshwork.agent.Parts;
import dev.meshwork.api.common.v1.Part;
import dev.meshwork.core.ErrorCode;
import dev.meshwork.core.MeshException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TextSkillsTest {

  private static final String ARTICLE =
      "Service meshes move networking concerns out of applications. "
          + "A mesh routes calls between services, balances load and secures every hop. "
          + "Agents in Meshwork register their skills with a registry. "
          + "The registry tells clients which agents serve a skill, and clients balance load "
          + "across those agents. "
          + "Nothing else is needed to call a skill.";

  @Test
  void keywords_article_ranksByFrequencyWithoutStopWords() {
    List<KeywordExtractor.Keyword> keywords = KeywordExtractor.extract(ARTICLE, 4);

    assertThat(keywords).extracting(KeywordExtractor.Keyword::word)
        // "agents" 3 times; then four words twice each, in order of first appearance.
        .containsExactly("agents", "load", "registry", "clients");
    assertThat(keywords.get(0).count()).isEqualTo(3);
  }

  @Test
  void keywords_skill_returnsTextAndData() {
    List<Part> out =
        TextSkills.keywords(List.of(Parts.text(ARTICLE), Parts.data(Map.of("max_keywords", 2))));

    assertThat(out.get(0).getText()).isEqualTo("agents, load");
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> data =
        (List<Map<String, Object>>) Parts.firstData(out).orElseThrow().get("keywords");
    assertThat(data).hasSize(2);
    assertThat(data.get(0)).containsEntry("word", "agents").containsEntry("count", 3.0);
  }

  @Test
  void keywords_textFilePart_isRead() {
    List<Part> out =
        TextSkills.keywords(
            List.of(Parts.file("a.txt", "text/plain", "kafka kafka queue".getBytes(
                StandardCharsets.UTF_8))));

    assertThat(out.get(0).getText()).isEqualTo("kafka, queue");
  }

  @Test
  void keywords_noText_invalidArgument() {
    assertThatThrownBy(() -> TextSkills.keywords(List.of(Parts.data(Map.of("x", 1)))))
        .isInstanceOfSatisfying(
            MeshException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
              assertThat(e.violations().get(0).field()).isEqualTo("input");
            });
  }

  @Test
  void keywords_badOption_invalidArgumentNamingIt() {
    assertThatThrownBy(
            () -> TextSkills.keywords(List.of(Parts.text("a b c"),
                Parts.data(Map.of("max_keywords", 0.5)))))
        .isInstanceOfSatisfying(
            MeshException.class,
            e -> assertThat(e.violations().get(0).description())
                .isEqualTo("0.5 (expected: an integer 1..100)"));
  }

  @Test
  void summarize_article_keepsTopSentencesInOriginalOrder() {
    List<String> summary = Summarizer.summarize(ARTICLE, 2);

    assertThat(summary)
        .containsExactly(
            "Agents in Meshwork register their skills with a registry.",
            "The registry tells clients which agents serve a skill, and clients balance load"
                + " across those agents.");
  }

  @Test
  void summarize_shortText_returnsItWhole() {
    assertThat(Summarizer.summarize("One. Two!", 3)).containsExactly("One.", "Two!");
  }

  @Test
  void summarize_skill_reportsSourceSentenceCount() {
    List<Part> out =
        TextSkills.summarize(List.of(Parts.text(ARTICLE), Parts.data(Map.of("max_sentences", 1))));

    assertThat(Parts.firstData(out).orElseThrow()).containsEntry("source_sentences", 5.0);
    assertThat(out.get(0).getText()).doesNotContain("Nothing else");
  }

  @Test
  void sentiment_positiveText_isPositive() {
    SentimentAnalyzer.Sentiment s =
        SentimentAnalyzer.analyze("The new release is great and the docs are really helpful.");

    assertThat(s.label()).isEqualTo("positive");
    assertThat(s.positive()).containsExactly("great", "helpful");
    assertThat(s.score()).isEqualTo(5.0); // great 2 + really helpful 2 * 1.5
  }

  @Test
  void sentiment_negation_flipsTheWord() {
    SentimentAnalyzer.Sentiment s = SentimentAnalyzer.analyze("This is not good.");

    assertThat(s.label()).isEqualTo("negative");
    assertThat(s.negative()).containsExactly("good");
    assertThat(s.score()).isEqualTo(-2.0);
  }

  @Test
  void sentiment_noLexiconWords_isNeutral() {
    assertThat(SentimentAnalyzer.analyze("The meeting is on Tuesday.").label())
        .isEqualTo("neutral");
  }

  @Test
  void sentiment_skill_returnsLabelAndData() {
    List<Part> out = TextSkills.sentiment(List.of(Parts.text("A terrible, awful outage.")));

    assertThat(out.get(0).getText()).isEqualTo("negative");
    assertThat(Parts.firstData(out).orElseThrow()).containsEntry("score", -8.0);
  }
}
