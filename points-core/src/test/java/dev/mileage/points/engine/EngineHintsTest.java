package dev.mileage.points.engine;

import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.StandardPointTypes;
import dev.mileage.points.ledger.Transfer;
import dev.mileage.points.ledger.TransferResult;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;

import static dev.mileage.points.ledger.TransferResult.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The in-memory state's structures and the preload hints change no answer: the same batches through one
 * engine over {@link MemoryState} (hinted a window at a time, reservations found from their timestamps,
 * accounts by id) and through another over plain maps that ignore every hint give identical outcomes,
 * batch after batch. The batches cross what the new code has edges at: many hint windows and requests of
 * every size (empty ones, one larger than a window), the batch maps' growth, more committed batches than
 * the first segment table holds, reservations closed many batches after they were made, expiries,
 * retries and linked chains.
 */
class EngineHintsTest {
  private static final int CUSTOMERS = 300;
  private static final int[] REQUEST_SIZES = {0, 1, 1, 2, 5, 37, LedgerEngine.PRELOAD_TRANSFERS + 44};

  @Test
  void hintedInMemoryStateAnswersAsPlainMaps() {
    EngineFixture f = new EngineFixture();
    MapView plain = new MapView();
    LedgerEngine plainEngine = new LedgerEngine(f.clock, 0);
    Account issuer = f.issuer(StandardPointTypes.MILEAGE);
    plain.accounts.put(issuer.id(), issuer);
    long[] customers = new long[CUSTOMERS];
    for (int i = 0; i < CUSTOMERS; i++) {
      Account a = f.customer("c" + i);
      plain.accounts.put(a.id(), a);
      customers[i] = a.id();
    }
    SplittableRandom random = new SplittableRandom(42);
    List<Transfer> made = new ArrayList<>();
    List<UUID> reservations = new ArrayList<>();
    Set<TransferResult> seen = EnumSet.noneOf(TransferResult.class);
    int transfers = 0;
    for (int batch = 0; batch < 90; batch++) {
      List<List<Transfer>> requests = new ArrayList<>();
      int size = 0;
      int target = batch % 10 == 9 ? 2_600 : 400; // every tenth batch grows the batch maps past 2,048
      while (size < target) {
        int n = REQUEST_SIZES[random.nextInt(REQUEST_SIZES.length)];
        List<Transfer> request = new ArrayList<>(n);
        for (int k = 0; k < n; k++) {
          Transfer t = next(random, batch, issuer.id(), customers, made, reservations);
          request.add(random.nextInt(k < n - 1 ? 8 : 40) == 0 ? t.linked() : t); // last: the chain stays open
        }
        requests.add(request);
        size += n;
      }
      List<UUID> expiring = new ArrayList<>();
      for (int k = 0; k < 20 && !reservations.isEmpty(); k++) {
        expiring.add(reservations.get(random.nextInt(reservations.size())));
      }
      BatchOutcome hinted = f.engine.applyAll(f.state, requests, expiring);
      BatchOutcome reference = plainEngine.applyAll(plain, requests, expiring);
      assertEquals(reference.results(), hinted.results(), "results of batch " + batch);
      assertEquals(reference.inserted(), hinted.inserted(), "records of batch " + batch);
      assertEquals(reference.pendings(), hinted.pendings(), "reservations of batch " + batch);
      assertEquals(reference.accounts(), hinted.accounts(), "accounts of batch " + batch);
      assertEquals(reference.expired(), hinted.expired());
      f.state.commit(hinted);
      plain.commit(reference);
      seen.addAll(hinted.results());
      transfers += size;
      f.clock.advance(Duration.ofMillis(700));
    }
    for (Account a : f.state.accounts()) assertEquals(plain.accounts.get(a.id()), a);
    assertEquals(plain.transfers.size(), f.state.transfers().size());
    for (UUID id : reservations) assertEquals(plain.pending(id), f.state.pending(id));
    assertTrue(transfers > 50_000, "transfers: " + transfers);
    // the workload reached the paths it is meant to: a test that only saw OK would prove little
    assertTrue(seen.containsAll(EnumSet.of(OK, EXISTS, EXISTS_WITH_DIFFERENT_AMOUNT, EXCEEDS_CREDITS,
        PENDING_TRANSFER_EXPIRED, PENDING_TRANSFER_ALREADY_POSTED, PENDING_TRANSFER_ALREADY_VOIDED,
        LINKED_EVENT_FAILED, LINKED_EVENT_CHAIN_OPEN)), "results seen: " + seen);
  }

  private static Transfer next(SplittableRandom random, int batch, long issuer, long[] customers, List<Transfer> made,
                               List<UUID> reservations) {
    long a = customers[random.nextInt(customers.length)];
    long b = customers[(int) ((a + 1 + random.nextInt(customers.length - 1)) % customers.length)];
    b = b == a ? issuer : b;
    UUID id = new UUID(random.nextLong(), random.nextLong());
    int kind = random.nextInt(20);
    Transfer t;
    if (kind < 2 && !made.isEmpty()) {
      Transfer old = made.get(random.nextInt(made.size())); // a retry, sometimes with another amount
      return random.nextBoolean() || old.amount() == 0 ? old
          : new Transfer(old.id(), old.debitAccountId(), old.creditAccountId(), old.amount() + 1, old.pendingId(),
              old.timeoutSeconds(), old.code(), old.reference(), old.flags());
    } else if (kind < 4) {
      t = Transfer.single(id, issuer, a, 1 + random.nextInt(200), 0, "fund"); // keeps customers solvent
    } else if (kind < 8) {
      t = Transfer.single(id, a, b, 1 + random.nextInt(150), 0, "pay");
    } else if (kind < 13) {
      t = Transfer.reserve(id, a, b, 1 + random.nextInt(100), random.nextInt(4), 0, "hold");
      reservations.add(id);
    } else if (!reservations.isEmpty()) {
      // closes a reservation of any earlier batch (or this one), open or not
      UUID hold = reservations.get(random.nextInt(reservations.size()));
      t = random.nextInt(3) == 0 ? Transfer.voidPending(id, hold, 0, "void")
          : Transfer.post(id, hold, 1 + random.nextInt(60), 0, "post");
    } else {
      t = Transfer.single(id, issuer, a, 50, 0, "fund");
    }
    if (made.size() < 20_000) made.add(t);
    return t;
  }
}
