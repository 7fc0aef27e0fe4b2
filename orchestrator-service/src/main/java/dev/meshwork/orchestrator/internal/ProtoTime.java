package dev.meshwork.orchestrator.internal;

import com.google.protobuf.Timestamp;
import com.google.protobuf.util.Durations;
import java.time.Duration;
import java.time.Instant;

/** Conversions between {@code java.time} and the protobuf well-known time types. */
public final class ProtoTime {

  private ProtoTime() {}

  /** An instant as a timestamp. */
  public static Timestamp toTimestamp(Instant instant) {
    return Timestamp.newBuilder()
        .setSeconds(instant.getEpochSecond())
        .setNanos(instant.getNano())
        .build();
  }

  /** A timestamp as an instant. */
  public static Instant toInstant(Timestamp timestamp) {
    return Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos());
  }

  /** A duration as a protobuf duration. */
  public static com.google.protobuf.Duration toProto(Duration duration) {
    return com.google.protobuf.Duration.newBuilder()
        .setSeconds(duration.getSeconds())
        .setNanos(duration.getNano())
        .build();
  }

  /** A protobuf duration as a Java one (call {@link #isValid} first for untrusted input). */
  public static Duration toJava(com.google.protobuf.Duration duration) {
    return Duration.ofSeconds(duration.getSeconds(), duration.getNanos());
  }

  /** True when the seconds and nanos are in range and agree in sign. */
  public static boolean isValid(com.google.protobuf.Duration duration) {
    return Durations.isValid(duration);
  }

  /** Formats like the proto JSON mapping ("30s", "0.500s"), also for malformed durations. */
  public static String format(com.google.protobuf.Duration duration) {
    if (!Durations.isValid(duration)) {
      return duration.getSeconds()
          + "s"
          + (duration.getNanos() < 0 ? "" : "+")
          + duration.getNanos()
          + "ns";
    }
    return Durations.toString(duration);
  }

  /** Formats a Java duration like the proto JSON mapping. */
  public static String format(Duration duration) {
    return Durations.toString(toProto(duration));
  }
}
