package dev.meshwork.agents.text.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The most significant words of a text: content words (no stop words, no numbers) ranked by
 * frequency, ties broken by first occurrence so the result is stable.
 */
public final class KeywordExtractor {

  /** One keyword: the word, how often it occurs, and its share of all content words. */
  public record Keyword(String word, int count, double score) {}

  private KeywordExtractor() {}

  /** The top {@code limit} keywords of {@code text}. */
  public static List<Keyword> extract(String text, int limit) {
    List<String> words = Words.words(text).stream().filter(Words::isContentWord).toList();
    Map<String, Integer> counts = new HashMap<>();
    Map<String, Integer> firstSeen = new HashMap<>();
    for (int i = 0; i < words.size(); i++) {
      counts.merge(words.get(i), 1, Integer::sum);
      firstSeen.putIfAbsent(words.get(i), i);
    }
    List<String> ranked = new ArrayList<>(counts.keySet());
    ranked.sort(
        Comparator.comparing((String w) -> -counts.get(w)).thenComparing(firstSeen::get));
    double total = words.size();
    return ranked.stream()
        .limit(limit)
        .map(w -> new Keyword(w, counts.get(w), round(counts.get(w) / total)))
        .toList();
  }

  private static double round(double value) {
    return Math.round(value * 10000) / 10000.0;
  }
}
