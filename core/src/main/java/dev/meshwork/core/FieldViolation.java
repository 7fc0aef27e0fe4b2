package dev.meshwork.core;

import static java.util.Objects.requireNonNull;

/**
 * One problem with one field of a request, reported as a {@code google.rpc.BadRequest} field
 * violation.
 *
 * @param field the field's path, for example {@code card.skills[1].id}
 * @param description what is wrong and what is expected, for example {@code "ttl: 0 (expected: >
 *     0)"}
 */
public record FieldViolation(String field, String description) {

  /** Validates both parts are present. */
  public FieldViolation {
    requireNonNull(field, "field");
    requireNonNull(description, "description");
  }
}
