package dev.meshwork.orchestrator.internal;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.UUID;

/**
 * Run ids: UUIDs of version 7 (RFC 9562), whose leading 48 bits are the creation time in
 * milliseconds, so ids sort by creation time as strings too.
 *
 * <p>Why: the store keys runs and events by run id. With random (version 4) ids, the runs in flight
 * were spread over the whole B-tree, and every group commit rewrote a leaf page (full of other
 * runs' rows) per run it touched; with time-ordered ids, runs in flight sit together in the
 * newest pages and a commit rewrites a few.
 */
public final class RunIds {

  private static final SecureRandom RANDOM = new SecureRandom();

  private RunIds() {}

  /** A new id for a run created at {@code now}. */
  public static String next(Instant now) {
    long millis = now.toEpochMilli();
    long high = (millis << 16) | 0x7000L | (RANDOM.nextInt() & 0x0FFFL);
    long low = (RANDOM.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
    return new UUID(high, low).toString();
  }
}
