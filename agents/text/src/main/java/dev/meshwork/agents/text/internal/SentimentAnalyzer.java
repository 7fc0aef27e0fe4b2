package dev.meshwork.agents.text.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Lexicon-based sentiment: each word of a small AFINN-style lexicon carries a score from -3 to +3;
 * a negation within the three preceding words flips it, an intensifier right before it scales it
 * by 1.5. The text's score is the sum, its comparative score the sum per word, and the label
 * follows the comparative score's sign beyond a small dead band.
 */
public final class SentimentAnalyzer {

  /** The result: totals, label and the words that counted. */
  public record Sentiment(
      double score, double comparative, String label, List<String> positive,
      List<String> negative) {}

  private static final double NEUTRAL_BAND = 0.05;
  private static final int NEGATION_WINDOW = 3;

  private static final Set<String> NEGATIONS =
      Set.of("not", "no", "never", "none", "nobody", "nothing", "neither", "nor", "without",
          "isn't", "wasn't", "aren't", "weren't", "don't", "doesn't", "didn't", "can't", "cannot",
          "won't", "wouldn't", "shouldn't", "couldn't", "hardly", "barely");

  private static final Map<String, Double> INTENSIFIERS =
      Map.of("very", 1.5, "really", 1.5, "extremely", 1.5, "so", 1.3, "highly", 1.5,
          "quite", 1.2, "totally", 1.5, "incredibly", 1.5, "absolutely", 1.5);

  private SentimentAnalyzer() {}

  /** Analyzes {@code text}. */
  public static Sentiment analyze(String text) {
    List<String> words = Words.words(text);
    double score = 0;
    List<String> positive = new ArrayList<>();
    List<String> negative = new ArrayList<>();
    for (int i = 0; i < words.size(); i++) {
      Integer base = SentimentLexicon.SCORES.get(words.get(i));
      if (base == null) {
        continue;
      }
      double value = base;
      if (i > 0 && INTENSIFIERS.containsKey(words.get(i - 1))) {
        value *= INTENSIFIERS.get(words.get(i - 1));
      }
      if (negated(words, i)) {
        value = -value;
      }
      score += value;
      (value > 0 ? positive : negative).add(words.get(i));
    }
    double comparative = words.isEmpty() ? 0 : score / words.size();
    String label =
        comparative > NEUTRAL_BAND ? "positive" : comparative < -NEUTRAL_BAND ? "negative"
            : "neutral";
    return new Sentiment(round(score), round(comparative), label, positive, negative);
  }

  private static boolean negated(List<String> words, int index) {
    for (int j = Math.max(0, index - NEGATION_WINDOW); j < index; j++) {
      if (NEGATIONS.contains(words.get(j))) {
        return true;
      }
    }
    return false;
  }

  private static double round(double value) {
    return Math.round(value * 10000) / 10000.0;
  }
}
