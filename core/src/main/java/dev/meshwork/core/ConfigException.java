package dev.meshwork.core;

/**
 * A bad configuration value. Its message is one line naming the setting, the bad value and what is
 * expected, for example {@code --port / MESHWORK_PORT: 'abc' (expected: integer 0..65535)}.
 */
public final class ConfigException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** Creates the exception with its one-line message. */
  public ConfigException(String message) {
    super(message);
  }
}
