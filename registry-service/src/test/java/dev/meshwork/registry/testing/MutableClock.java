package dev.meshwork.registry.testing;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/** A clock tests move by hand, so lease tests never sleep. */
public final class MutableClock implements InstantSource {

  private volatile Instant now;

  /** A clock showing {@code start}. */
  public MutableClock(Instant start) {
    this.now = requireNonNull(start, "start");
  }

  /** A clock at a fixed, arbitrary instant. */
  public static MutableClock atEpochDay() {
    return new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  }

  @Override
  public Instant instant() {
    return now;
  }

  /** Moves the clock forward. */
  public synchronized void advance(Duration duration) {
    now = now.plus(duration);
  }
}
