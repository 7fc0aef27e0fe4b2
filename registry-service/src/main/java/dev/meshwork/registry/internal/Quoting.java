package dev.meshwork.registry.internal;

/** Quotes user-supplied values for error messages, shortening long ones. */
final class Quoting {

  private static final int MAX_SHOWN = 64;

  private Quoting() {}

  static String quote(String value) {
    if (value.length() <= MAX_SHOWN) {
      return "'" + value + "'";
    }
    return "'" + value.substring(0, MAX_SHOWN) + "...' (" + value.length() + " characters)";
  }
}
