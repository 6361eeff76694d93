package dev.mileage.points.testing;

import dev.mileage.points.ledger.Transfer;
import dev.mileage.points.ledger.TransferFlags;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;

/**
 * A seeded mix of everything callers do to a ledger: single transfers (funding, payments, refunds, some
 * too large, some across point types), reservations with timeouts, full and partial posts, voids, posts
 * of unknown or settled reservations, linked chains, exact and conflicting duplicates and malformed
 * requests. The same seed always produces the same sequence.
 */
public final class Workload {
  /** Linked chains hold at most this many transfers. */
  public static final int CHAIN_LENGTH_MAX = 4;
  private static final int[] TIMEOUTS_SECONDS = {0, 1, 2, 5, 30};

  private final Random random;
  private final long[][] customers;
  private final long[] issuers;
  private final String prefix;
  private final List<Transfer> submitted = new ArrayList<>();
  private final List<UUID> reservations = new ArrayList<>();
  private long sequence;

  /**
   * @param customers customer account ids by point type index
   * @param issuers   the issuing account of each point type index
   */
  public Workload(long seed, long[][] customers, long[] issuers, String prefix) {
    this.random = new Random(seed);
    this.customers = customers;
    this.issuers = issuers;
    this.prefix = prefix;
  }

  public Random random() {
    return random;
  }

  /** About {@code size} transfers (a chain may add a few). */
  public List<Transfer> batch(int size) {
    List<Transfer> batch = new ArrayList<>(size + CHAIN_LENGTH_MAX);
    while (batch.size() < size) {
      if (random.nextInt(100) < 10) {
        int length = 2 + random.nextInt(CHAIN_LENGTH_MAX - 1);
        for (int i = 0; i < length; i++) {
          Transfer t = next();
          batch.add(i < length - 1 ? t.linked() : unlinked(t));
        }
        if (random.nextInt(100) < 3) batch.set(batch.size() - 1, batch.get(batch.size() - 1).linked());
      } else {
        batch.add(next());
      }
    }
    submitted.addAll(batch);
    return batch;
  }

  private Transfer next() {
    int p = random.nextInt(100);
    if (p < 8 && !submitted.isEmpty()) return submitted.get(random.nextInt(submitted.size()));
    if (p < 12 && !submitted.isEmpty()) return conflicting(submitted.get(random.nextInt(submitted.size())));
    if (p < 40) return single();
    if (p < 65) return reserve();
    if (p < 80) return post();
    if (p < 92) return voidPending();
    if (p < 95) return random.nextBoolean() ? Transfer.post(id(), id(), 1, 0, "") : Transfer.voidPending(id(), id(), 0, "");
    return malformed();
  }

  private UUID id() {
    return Transfer.idOf(prefix + ":" + sequence++);
  }

  private int type() {
    return random.nextInt(issuers.length);
  }

  private long customer(int type) {
    return customers[type][random.nextInt(customers[type].length)];
  }

  private long amount() {
    int p = random.nextInt(100);
    if (p < 2) return 0;
    if (p < 5) return 1_000_000;
    return 1 + random.nextInt(200);
  }

  private Transfer single() {
    int type = type();
    int p = random.nextInt(100);
    long from;
    long to;
    if (p < 30) {
      from = issuers[type];
      to = customer(type);
    } else if (p < 85) {
      from = customer(type);
      to = customer(type);
    } else if (p < 97) {
      from = customer(type);
      to = issuers[type];
    } else {
      from = customer(type);
      to = customer((type + 1) % issuers.length);
    }
    return Transfer.single(id(), from, to, amount(), random.nextInt(3), "single");
  }

  private Transfer reserve() {
    int type = type();
    long to = random.nextBoolean() ? issuers[type] : customer(type);
    UUID id = id();
    reservations.add(id);
    return Transfer.reserve(id, customer(type), to, amount(), TIMEOUTS_SECONDS[random.nextInt(TIMEOUTS_SECONDS.length)],
        100, "reserve");
  }

  private UUID reservation() {
    if (reservations.isEmpty()) return id();
    // mostly recent ones, sometimes any
    int n = reservations.size();
    return random.nextInt(4) == 0 ? reservations.get(random.nextInt(n)) : reservations.get(n - 1 - random.nextInt(Math.min(n, 8)));
  }

  private Transfer post() {
    UUID pending = reservation();
    long amount = 1 + random.nextInt(random.nextInt(10) == 0 ? 400 : 150);
    return Transfer.post(id(), pending, amount, 100, "post");
  }

  private Transfer voidPending() {
    return Transfer.voidPending(id(), reservation(), 100, "void");
  }

  private Transfer conflicting(Transfer t) {
    return switch (random.nextInt(4)) {
      case 0 -> new Transfer(t.id(), t.debitAccountId(), t.creditAccountId(), t.amount() + 1, t.pendingId(),
          t.timeoutSeconds(), t.code(), t.reference(), t.flags());
      case 1 -> new Transfer(t.id(), t.debitAccountId(), t.creditAccountId(), t.amount(), t.pendingId(),
          t.timeoutSeconds(), t.code(), t.reference() + "!", t.flags());
      case 2 -> new Transfer(t.id(), t.debitAccountId(), t.creditAccountId(), t.amount(), t.pendingId(),
          t.timeoutSeconds(), t.code() + 1, t.reference(), t.flags());
      default -> new Transfer(t.id(), t.debitAccountId(), t.creditAccountId(), t.amount(), t.pendingId(),
          t.timeoutSeconds(), t.code(), t.reference(), t.flags() ^ TransferFlags.LINKED);
    };
  }

  private Transfer malformed() {
    int type = type();
    return switch (random.nextInt(6)) {
      case 0 -> new Transfer(id(), customer(type), issuers[type], 5, null, 0, 0, "",
          TransferFlags.PENDING | TransferFlags.POST_PENDING);
      case 1 -> new Transfer(id(), customer(type), issuers[type], 5, null, 7, 0, "", 0);
      case 2 -> new Transfer(id(), 0, issuers[type], 5, null, 0, 0, "", 0);
      case 3 -> new Transfer(id(), customer(type), customer(type), 5, null, 0, 0, "", 0);
      case 4 -> Transfer.single(id(), customer(type), 987_654_321L, 5, 0, "");
      default -> Transfer.single(id(), customer(type), issuers[type], 5, 0, "x".repeat(Transfer.REFERENCE_LENGTH_MAX + 1));
    };
  }

  private static Transfer unlinked(Transfer t) {
    return new Transfer(t.id(), t.debitAccountId(), t.creditAccountId(), t.amount(), t.pendingId(), t.timeoutSeconds(),
        t.code(), t.reference(), t.flags() & ~TransferFlags.LINKED);
  }
}
