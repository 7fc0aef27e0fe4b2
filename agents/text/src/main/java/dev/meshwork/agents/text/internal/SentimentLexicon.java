package dev.meshwork.agents.text.internal;

import java.util.HashMap;
import java.util.Map;

/** A small general-purpose sentiment lexicon in the style of AFINN (scores -3..+3). */
final class SentimentLexicon {

  static final Map<String, Integer> SCORES = build();

  private SentimentLexicon() {}

  private static Map<String, Integer> build() {
    Map<String, Integer> m = new HashMap<>();
    put(m, 3, "excellent", "outstanding", "superb", "amazing", "wonderful", "fantastic",
        "brilliant", "love", "loved", "loves", "perfect", "delighted", "awesome", "exceptional",
        "thrilled", "masterpiece", "flawless");
    put(m, 2, "good", "great", "happy", "glad", "pleased", "enjoy", "enjoyed", "enjoyable",
        "like", "liked", "nice", "helpful", "beautiful", "impressive", "recommend",
        "recommended", "reliable", "fast", "success", "successful", "win", "won", "benefit",
        "benefits", "improve", "improved", "improvement", "strong", "smooth", "easy", "friendly",
        "satisfied", "favorite", "favourite", "best", "better", "positive", "robust", "elegant",
        "efficient", "effective", "fun", "worth", "praise", "resolved", "fixed", "stable");
    put(m, 1, "ok", "okay", "fine", "fair", "decent", "adequate", "useful", "clear", "calm",
        "interesting", "solid", "promising", "hope", "hopeful", "support", "supported",
        "welcome", "thanks", "thank", "agree", "correct", "safe", "ready", "growth", "gain");
    put(m, -1, "slow", "late", "delay", "delayed", "confusing", "confused", "unclear", "minor",
        "issue", "issues", "concern", "concerns", "doubt", "odd", "miss", "missed", "missing",
        "tired", "boring", "difficult", "hard", "complex", "risk", "risky", "loss", "decline",
        "declined", "weak", "limited", "lack", "lacks", "expensive", "warning");
    put(m, -2, "bad", "poor", "problem", "problems", "error", "errors", "fail", "failed",
        "fails", "failure", "broken", "bug", "bugs", "crash", "crashed", "crashes", "unhappy",
        "sad", "angry", "annoying", "annoyed", "disappointed", "disappointing", "frustrating",
        "frustrated", "worse", "wrong", "ugly", "unreliable", "unstable", "negative", "hate",
        "hated", "regret", "complaint", "complaints", "outage", "slowdown", "waste", "useless");
    put(m, -3, "terrible", "awful", "horrible", "worst", "disaster", "disastrous", "catastrophe",
        "catastrophic", "furious", "disgusting", "appalling", "unacceptable", "dreadful",
        "nightmare", "abysmal");
    return Map.copyOf(m);
  }

  private static void put(Map<String, Integer> m, int score, String... words) {
    for (String word : words) {
      m.put(word, score);
    }
  }
}
