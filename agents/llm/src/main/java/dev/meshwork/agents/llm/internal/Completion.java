package dev.meshwork.agents.llm.internal;

import java.util.Map;

/**
 * A model's answer.
 *
 * @param content the assistant message
 * @param model the model that answered, as the server names it
 * @param finishReason why generation stopped ({@code stop}, {@code length}, ...)
 * @param usage token counts as reported ({@code prompt_tokens}, {@code completion_tokens}, ...)
 */
public record Completion(
    String content, String model, String finishReason, Map<String, Object> usage) {}
