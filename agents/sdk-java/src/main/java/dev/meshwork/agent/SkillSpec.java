package dev.meshwork.agent;

import static java.util.Objects.requireNonNull;

import dev.meshwork.api.common.v1.Skill;
import dev.meshwork.core.AuthorizationPolicy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * How a skill presents itself on the agent card, plus who may call it.
 *
 * <pre>{@code
 * SkillSpec spec = SkillSpec.builder("text.keywords")
 *     .name("Keywords")
 *     .description("The most significant words of a text, by frequency.")
 *     .inputModes("text/plain")
 *     .outputModes("application/json")
 *     .build();
 * }</pre>
 *
 * @param id mesh-wide skill id, for example {@code text.keywords}
 * @param name short human-readable name
 * @param description what the skill does, expects and returns
 * @param tags free-form tags for discovery
 * @param inputModes media types accepted
 * @param outputModes media types produced
 * @param examples example inputs, as plain text
 * @param allowedCallers identity patterns ({@code <kind>/*}, {@code <kind>/<name>}) allowed to call
 *     this skill on top of the agent's policy; empty allows everyone the policy allows
 */
public record SkillSpec(
    String id,
    String name,
    String description,
    List<String> tags,
    List<String> inputModes,
    List<String> outputModes,
    List<String> examples,
    Set<String> allowedCallers) {

  // The registry's rule: skill ids end up in channel targets ("mesh:///skill/<id>").
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  /** Validates the parts. */
  public SkillSpec {
    requireNonNull(id, "id");
    requireNonNull(name, "name");
    requireNonNull(description, "description");
    tags = List.copyOf(tags);
    inputModes = List.copyOf(inputModes);
    outputModes = List.copyOf(outputModes);
    examples = List.copyOf(examples);
    allowedCallers = Set.copyOf(allowedCallers);
    if (!ID.matcher(id).matches()) {
      throw new IllegalArgumentException(
          "skill id: '" + id + "' (expected: letters, digits, '.', '-' and '_', 1..128"
              + " characters, starting with a letter or digit)");
    }
    if (!allowedCallers.isEmpty()) {
      // Validates the patterns the same way policy rules are.
      new AuthorizationPolicy.Rule(AuthorizationPolicy.Effect.ALLOW, "*", allowedCallers);
    }
  }

  /** A builder for skill {@code id}. */
  public static Builder builder(String id) {
    return new Builder(id);
  }

  /** A skill with just an id and a description. */
  public static SkillSpec of(String id, String description) {
    return builder(id).description(description).build();
  }

  /** The card entry. */
  public Skill toProto() {
    return Skill.newBuilder()
        .setId(id)
        .setName(name)
        .setDescription(description)
        .addAllTags(tags)
        .addAllInputModes(inputModes)
        .addAllOutputModes(outputModes)
        .addAllExamples(examples)
        .build();
  }

  /** Builds a {@link SkillSpec}; the name defaults to the id. */
  public static final class Builder {
    private final String id;
    private String name;
    private String description = "";
    private final List<String> tags = new ArrayList<>();
    private final List<String> inputModes = new ArrayList<>();
    private final List<String> outputModes = new ArrayList<>();
    private final List<String> examples = new ArrayList<>();
    private final Set<String> allowedCallers = new LinkedHashSet<>();

    private Builder(String id) {
      this.id = requireNonNull(id, "id");
    }

    /** Short human-readable name. */
    public Builder name(String name) {
      this.name = requireNonNull(name, "name");
      return this;
    }

    /** What the skill does, what it expects and what it returns. */
    public Builder description(String description) {
      this.description = requireNonNull(description, "description");
      return this;
    }

    /** Adds discovery tags. */
    public Builder tags(String... tags) {
      this.tags.addAll(Arrays.asList(tags));
      return this;
    }

    /** Adds accepted media types. */
    public Builder inputModes(String... modes) {
      this.inputModes.addAll(Arrays.asList(modes));
      return this;
    }

    /** Adds produced media types. */
    public Builder outputModes(String... modes) {
      this.outputModes.addAll(Arrays.asList(modes));
      return this;
    }

    /** Adds example inputs. */
    public Builder examples(String... examples) {
      this.examples.addAll(Arrays.asList(examples));
      return this;
    }

    /**
     * Restricts the skill to callers matching any of {@code identityPatterns} ({@code
     * orchestrator/*}, {@code agent/report}, ...), on top of the agent's policy.
     */
    public Builder allowCallers(String... identityPatterns) {
      this.allowedCallers.addAll(Arrays.asList(identityPatterns));
      return this;
    }

    /**
     * The spec.
     *
     * @throws IllegalArgumentException for a malformed id or caller pattern
     */
    public SkillSpec build() {
      return new SkillSpec(
          id,
          name == null ? id : name,
          description,
          tags,
          inputModes,
          outputModes,
          examples,
          allowedCallers);
    }
  }
}
