package dev.meshwork.registry.internal;

import com.google.protobuf.Timestamp;
import com.google.protobuf.util.Durations;
import java.time.Duration;
import java.time.Instant;

/** Conversions between {@code java.time} and the protobuf well-known time types. */
final class ProtoTime {

  private ProtoTime() {}

  static Timestamp toTimestamp(Instant instant) {
    return Timestamp.newBuilder()
        .setSeconds(instant.getEpochSecond())
        .setNanos(instant.getNano())
        .build();
  }

  static com.google.protobuf.Duration toProto(Duration duration) {
    return com.google.protobuf.Duration.newBuilder()
        .setSeconds(duration.getSeconds())
        .setNanos(duration.getNano())
        .build();
  }

  /** Converts a valid protobuf duration; call {@link #isValid} first. */
  static Duration toJava(com.google.protobuf.Duration duration) {
    return Duration.ofSeconds(duration.getSeconds(), duration.getNanos());
  }

  static boolean isValid(com.google.protobuf.Duration duration) {
    return Durations.isValid(duration);
  }

  /** Formats like the proto JSON mapping ("30s", "0.500s"), also for malformed durations. */
  static String format(com.google.protobuf.Duration duration) {
    if (!Durations.isValid(duration)) {
      String sign = duration.getNanos() < 0 ? "" : "+";
      return duration.getSeconds() + "s" + sign + duration.getNanos() + "ns";
    }
    return Durations.toString(duration);
  }
}
