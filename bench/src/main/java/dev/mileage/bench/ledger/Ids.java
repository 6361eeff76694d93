package dev.mileage.bench.ledger;

import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How the bench's clients choose transfer ids (the ledger's callers always choose them; they are the
 * idempotency keys). The ledger stores them in a B-tree primary key, so the choice shows in the cost of a
 * commit: time-ordered ids (RFC 9562 UUIDv7) append at the right edge of the index, random ones land on a
 * random leaf each and make the insert descend the tree. TigerBeetle gives its clients the same advice.
 */
enum Ids {
  /**
   * RFC 9562 version 7: 48-bit Unix milliseconds and a 12-bit counter (method 1 of section 6.2) whose
   * overflow carries into the milliseconds, then 62 random bits: strictly increasing across all clients.
   */
  TIME_ORDERED {
    @Override
    UUID next(SplittableRandom random) {
      long now = System.currentTimeMillis() << 12;
      long tick = TICKS.updateAndGet(last -> Math.max(last + 1, now));
      long msb = ((tick >>> 12) << 16) | 0x7000L | (tick & 0xFFFL);
      return new UUID(msb, (random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L);
    }
  },
  /** 128 random bits (not a valid RFC 9562 version; the ledger takes any UUID). */
  RANDOM {
    @Override
    UUID next(SplittableRandom random) {
      return new UUID(random.nextLong(), random.nextLong());
    }
  };

  /** The last time-ordered id's milliseconds and counter, {@code ms << 12 | counter}; shared by all clients. */
  private static final AtomicLong TICKS = new AtomicLong();

  abstract UUID next(SplittableRandom random);
}
