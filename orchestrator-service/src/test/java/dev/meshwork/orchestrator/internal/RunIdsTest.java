package dev.meshwork.orchestrator.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class RunIdsTest {

  @Test
  void next_anyInstant_isVersion7UuidCarryingItsMillis() {
    Instant now = Instant.parse("2026-11-23T17:00:00.123Z");

    UUID id = UUID.fromString(RunIds.next(now));

    assertThat(id.version()).isEqualTo(7);
    assertThat(id.variant()).isEqualTo(2); // RFC 9562
    assertThat(id.getMostSignificantBits() >>> 16).isEqualTo(now.toEpochMilli());
  }

  @Test
  void next_laterInstants_sortAfterEarlierOnesAsStrings() {
    Instant start = Instant.parse("2026-11-23T17:00:00Z");
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      ids.add(RunIds.next(start.plusMillis(i)));
    }

    assertThat(ids).isSorted();
  }

  @Test
  void next_sameMillisecond_stillUnique() {
    Instant now = Instant.parse("2026-11-23T17:00:00Z");
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      ids.add(RunIds.next(now));
    }

    assertThat(ids).hasSize(10_000);
  }
}
