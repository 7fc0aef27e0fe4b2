package dev.meshwork.registry.internal;

import static dev.meshwork.registry.internal.Quoting.quote;

import dev.meshwork.api.common.v1.AgentCard;
import dev.meshwork.api.common.v1.Skill;
import dev.meshwork.core.Violations;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The rules an {@link AgentCard} must follow to be registered. Violations are added to a shared
 * {@link Violations}, so a client sees every problem of its request at once.
 */
final class CardValidator {

  /** Largest serialized card the registry stores; cards travel in every watch event. */
  static final int MAX_CARD_BYTES = 64 * 1024;

  /** Longest label value, as in Kubernetes. */
  static final int MAX_LABEL_VALUE_LENGTH = 63;

  private static final String LABEL_REGEX = "[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?";
  private static final Pattern DNS_LABEL = Pattern.compile(LABEL_REGEX);
  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile(LABEL_REGEX + "(\\." + LABEL_REGEX + ")*");
  private static final int MAX_PREFIX_LENGTH = 253;

  // Skill ids end up in channel targets ("mesh:///skill/<id>"), so they stay URI-path-safe.
  private static final Pattern SKILL_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  private static final String DNS_LABEL_EXPECTED =
      "expected: lower-case letters, digits and '-', 1..63 characters, starting and ending with a"
          + " letter or digit";

  private CardValidator() {}

  /** Checks {@code card}, found at {@code path} in the request, adding to {@code violations}. */
  static void validate(AgentCard card, String path, Violations violations) {
    violations.check(
        DNS_LABEL.matcher(card.getName()).matches(),
        path + ".name",
        quote(card.getName()) + " (" + DNS_LABEL_EXPECTED + ")");
    validateSkills(card.getSkillsList(), path + ".skills", violations);
    validateLabels(card.getLabelsMap(), path + ".labels", violations);
    int size = card.getSerializedSize();
    violations.check(
        size <= MAX_CARD_BYTES,
        path,
        size + " bytes serialized (expected: at most " + MAX_CARD_BYTES + ")");
  }

  private static void validateSkills(List<Skill> skills, String path, Violations violations) {
    if (skills.isEmpty()) {
      violations.add(path, "[] (expected: at least one skill)");
      return;
    }
    Map<String, Integer> firstIndexById = new HashMap<>();
    for (int i = 0; i < skills.size(); i++) {
      String id = skills.get(i).getId();
      String field = path + "[" + i + "].id";
      if (id.isEmpty()) {
        violations.add(field, "'' (expected: a non-empty skill id)");
        continue;
      }
      if (!SKILL_ID.matcher(id).matches()) {
        violations.add(
            field,
            quote(id)
                + " (expected: letters, digits, '.', '-' and '_', 1..128 characters, starting with"
                + " a letter or digit)");
        continue;
      }
      Integer first = firstIndexById.putIfAbsent(id, i);
      if (first != null) {
        violations.add(
            field, quote(id) + " (expected: unique; " + path + "[" + first + "].id has it too)");
      }
    }
  }

  private static void validateLabels(
      Map<String, String> labels, String path, Violations violations) {
    // Sorted, so that violations come in a stable order.
    for (Map.Entry<String, String> label : new TreeMap<>(labels).entrySet()) {
      String key = label.getKey();
      String field = path + "[\"" + key + "\"]";
      violations.check(
          isValidLabelKey(key),
          field,
          "key "
              + quote(key)
              + " (expected: a DNS label, optionally prefixed by a DNS name and '/', for example"
              + " 'zone' or 'example.com/zone')");
      String value = label.getValue();
      violations.check(
          value.length() <= MAX_LABEL_VALUE_LENGTH,
          field,
          "value of "
              + value.length()
              + " characters (expected: at most "
              + MAX_LABEL_VALUE_LENGTH
              + ")");
    }
  }

  /** A DNS label, optionally prefixed Kubernetes-style: {@code example.com/zone}. */
  static boolean isValidLabelKey(String key) {
    int slash = key.indexOf('/');
    if (slash < 0) {
      return DNS_LABEL.matcher(key).matches();
    }
    String prefix = key.substring(0, slash);
    return prefix.length() <= MAX_PREFIX_LENGTH
        && DNS_SUBDOMAIN.matcher(prefix).matches()
        && DNS_LABEL.matcher(key.substring(slash + 1)).matches();
  }
}
