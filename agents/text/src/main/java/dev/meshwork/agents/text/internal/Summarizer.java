package dev.meshwork.agents.text.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Extractive summary: the sentences that carry the text's most frequent content words, in their
 * original order. A sentence scores the summed relative frequency of its content words divided
 * by the square root of their number (long sentences are not favoured merely for their length,
 * nor short ones for brevity), plus a small bonus for the opening sentence, which in most writing
 * states the topic.
 */
public final class Summarizer {

  private static final double LEAD_BONUS = 0.15;

  private Summarizer() {}

  /** The summary of {@code text} in at most {@code maxSentences} sentences. */
  public static List<String> summarize(String text, int maxSentences) {
    List<String> sentences = Words.sentences(text);
    if (sentences.size() <= maxSentences) {
      return sentences;
    }
    Map<String, Integer> frequency = new HashMap<>();
    for (String word : Words.words(text)) {
      if (Words.isContentWord(word)) {
        frequency.merge(word, 1, Integer::sum);
      }
    }
    int top = frequency.values().stream().max(Integer::compare).orElse(1);
    double[] scores = new double[sentences.size()];
    for (int i = 0; i < sentences.size(); i++) {
      List<String> content =
          Words.words(sentences.get(i)).stream().filter(Words::isContentWord).toList();
      double sum = content.stream().mapToDouble(w -> frequency.get(w) / (double) top).sum();
      scores[i] = content.isEmpty() ? 0 : sum / Math.sqrt(content.size());
      if (i == 0) {
        scores[i] += LEAD_BONUS;
      }
    }
    List<Integer> chosen =
        new ArrayList<>(
            IntStream.range(0, sentences.size())
                .boxed()
                .sorted(Comparator.comparingDouble((Integer i) -> -scores[i])
                    .thenComparingInt(i -> i))
                .limit(maxSentences)
                .toList());
    chosen.sort(Integer::compare);
    return chosen.stream().map(sentences::get).toList();
  }
}
