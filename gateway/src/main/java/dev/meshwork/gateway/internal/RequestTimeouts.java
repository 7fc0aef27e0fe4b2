package dev.meshwork.gateway.internal;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the timeouts a client may ask for: {@code X-Request-Timeout} ({@code 5s}, {@code 250ms},
 * {@code 1.5s}, {@code 2m}, or plain seconds {@code 5}) and gRPC's own {@code grpc-timeout} ({@code
 * 5S}, {@code 250m}, ...).
 */
public final class RequestTimeouts {

  /** The gateway's timeout header. */
  public static final String HEADER = "x-request-timeout";

  /** gRPC's timeout header, honoured too for clients that already send it. */
  public static final String GRPC_HEADER = "grpc-timeout";

  private static final Pattern HUMAN = Pattern.compile("(\\d{1,9}(?:\\.\\d{1,9})?)(ms|s|m|h)?");
  private static final Pattern GRPC = Pattern.compile("(\\d{1,8})([HMSmun])");

  private RequestTimeouts() {}

  /**
   * Parses an {@code X-Request-Timeout} value.
   *
   * @throws IllegalArgumentException when malformed or not positive
   */
  public static Duration parseHuman(String value) {
    Matcher m = HUMAN.matcher(value.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "'" + value + "' (expected: a duration like 5s, 250ms, 1.5s, 2m)");
    }
    double amount = Double.parseDouble(m.group(1));
    String unit = m.group(2) == null ? "s" : m.group(2);
    double nanos =
        amount
            * switch (unit) {
              case "ms" -> 1e6;
              case "m" -> 60e9;
              case "h" -> 3600e9;
              default -> 1e9;
            };
    return positive(Duration.ofNanos((long) nanos), value);
  }

  /**
   * Parses a {@code grpc-timeout} value.
   *
   * @throws IllegalArgumentException when malformed or not positive
   */
  public static Duration parseGrpc(String value) {
    Matcher m = GRPC.matcher(value.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "'" + value + "' (expected: 1-8 digits and H, M, S, m, u or n)");
    }
    long amount = Long.parseLong(m.group(1));
    Duration timeout =
        switch (m.group(2)) {
          case "H" -> Duration.ofHours(amount);
          case "M" -> Duration.ofMinutes(amount);
          case "S" -> Duration.ofSeconds(amount);
          case "m" -> Duration.ofMillis(amount);
          case "u" -> Duration.ofNanos(amount * 1000);
          default -> Duration.ofNanos(amount);
        };
    return positive(timeout, value);
  }

  private static Duration positive(Duration timeout, String value) {
    if (timeout.isZero() || timeout.isNegative()) {
      throw new IllegalArgumentException("'" + value + "' (expected: > 0)");
    }
    return timeout;
  }
}
