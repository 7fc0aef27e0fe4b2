package dev.meshwork.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TokenBucketTest {

  private final AtomicLong now = new AtomicLong();

  @Test
  void tryAcquire_withinBurst_grantsImmediately() {
    TokenBucket bucket = new TokenBucket(new RateLimit(1, 3), now::get);

    assertThat(bucket.tryAcquire()).isZero();
    assertThat(bucket.tryAcquire()).isZero();
    assertThat(bucket.tryAcquire()).isZero();
  }

  @Test
  void tryAcquire_empty_saysWhenTheNextTokenComes() {
    TokenBucket bucket = new TokenBucket(new RateLimit(2, 1), now::get);
    bucket.tryAcquire();

    assertThat(bucket.tryAcquire()).isEqualTo(Duration.ofMillis(500));
    now.addAndGet(Duration.ofMillis(500).toNanos());
    assertThat(bucket.tryAcquire()).isZero();
  }

  @Test
  void tryAcquire_longIdle_refillsOnlyUpToBurst() {
    TokenBucket bucket = new TokenBucket(new RateLimit(10, 2), now::get);
    bucket.tryAcquire();
    bucket.tryAcquire();
    now.addAndGet(Duration.ofHours(1).toNanos());

    assertThat(bucket.tryAcquire()).isZero();
    assertThat(bucket.tryAcquire()).isZero();
    assertThat(bucket.tryAcquire()).isPositive();
  }
}
