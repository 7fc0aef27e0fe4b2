package dev.meshwork.agents.text.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Splits text into lower-case words and sentences, and knows the English stop words. */
final class Words {

  private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}]+(?:['’][\\p{L}]+)*");
  // A sentence ends at . ! or ? followed by whitespace, or at a blank line.
  private static final Pattern SENTENCE_END = Pattern.compile("(?<=[.!?])\\s+|\\n\\s*\\n");

  /** Words too common to say anything about a text. */
  static final Set<String> STOP_WORDS =
      Set.of(
          "a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and",
          "any", "are", "as", "at", "be", "because", "been", "before", "being", "below",
          "between", "both", "but", "by", "can", "could", "did", "do", "does", "doing", "down",
          "during", "each", "even", "few", "for", "from", "further", "had", "has", "have",
          "having", "he", "her", "here", "hers", "herself", "him", "himself", "his", "how", "i",
          "if", "in", "into", "is", "it", "it's", "its", "itself", "just", "let", "may", "me",
          "might", "more", "most", "much", "must", "my", "myself", "no", "nor", "not", "now",
          "of", "off", "on", "once", "one", "only", "or", "other", "our", "ours", "ourselves",
          "out", "over", "own", "same", "shall", "she", "should", "so", "some", "such", "than",
          "that", "the", "their", "theirs", "them", "themselves", "then", "there", "these",
          "they", "this", "those", "through", "to", "too", "under", "until", "up", "upon", "us",
          "very", "was", "we", "were", "what", "when", "where", "which", "while", "who", "whom",
          "why", "will", "with", "within", "without", "would", "yet", "you", "your", "yours",
          "yourself", "yourselves", "many", "every", "however", "thus", "therefore", "like",
          "well", "get", "got", "make", "made", "use", "used", "using", "new", "two", "s", "t");

  private Words() {}

  /** The words of {@code text}, lower-cased, in order. */
  static List<String> words(String text) {
    List<String> words = new ArrayList<>();
    Matcher m = WORD.matcher(text);
    while (m.find()) {
      words.add(m.group().toLowerCase(Locale.ROOT).replace('’', '\''));
    }
    return words;
  }

  /** The sentences of {@code text}, trimmed, without empty ones. */
  static List<String> sentences(String text) {
    List<String> sentences = new ArrayList<>();
    for (String sentence : SENTENCE_END.split(text.strip())) {
      String s = sentence.strip().replaceAll("\\s+", " ");
      if (!s.isEmpty()) {
        sentences.add(s);
      }
    }
    return sentences;
  }

  /** True for words worth counting: not a stop word, not a bare number, at least 3 letters. */
  static boolean isContentWord(String word) {
    return word.length() >= 3
        && !STOP_WORDS.contains(word)
        && !word.chars().allMatch(Character::isDigit);
  }
}
