package dev.meshwork.bench;

import java.util.Optional;

/**
 * Reads a server-sent event stream one line at a time (as the WHATWG spec dispatches events): the
 * {@code event:} and {@code data:} fields of an event, which a blank line completes. Comments
 * ({@code :...}), other fields ({@code id}, {@code retry}) and events without data are skipped. Not
 * thread-safe: one parser per stream.
 */
final class SseParser {

  /** The type of an event that names none. */
  static final String DEFAULT_TYPE = "message";

  /**
   * One complete event.
   *
   * @param type its {@code event:} field, {@value #DEFAULT_TYPE} without one
   * @param data its {@code data:} lines, joined with {@code \n}
   */
  record Event(String type, String data) {}

  private String type = DEFAULT_TYPE;
  private StringBuilder data;

  /**
   * Takes the next line, without its line terminator; returns the event this line completes, if it
   * completes one.
   */
  Optional<Event> line(String line) {
    if (line.isEmpty()) {
      Optional<Event> event =
          data == null ? Optional.empty() : Optional.of(new Event(type, data.toString()));
      type = DEFAULT_TYPE;
      data = null;
      return event;
    }
    if (line.startsWith(":")) {
      return Optional.empty();
    }
    int colon = line.indexOf(':');
    String field = colon < 0 ? line : line.substring(0, colon);
    String value = colon < 0 ? "" : line.substring(colon + 1);
    if (value.startsWith(" ")) {
      value = value.substring(1);
    }
    switch (field) {
      case "event" -> type = value.isEmpty() ? DEFAULT_TYPE : value;
      case "data" -> {
        if (data == null) {
          data = new StringBuilder(value);
        } else {
          data.append('\n').append(value);
        }
      }
      default -> {} // id, retry and unknown fields: not needed here.
    }
    return Optional.empty();
  }
}
