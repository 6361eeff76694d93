package dev.mileage.points.metering;

import dev.mileage.points.ledger.Account;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.mileage.points.metering.MeterFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An authorization writes its checkpoint and its first reservation at once (call set-up waits for one commit,
 * not two in a row), and is OK only when both are durable; a failed checkpoint gives the reserved points back
 * at once and leaves nothing behind.
 */
class MeterFirstWritesTest {
  @TempDir
  static Path dataDir;
  static MeterFixture f;
  static final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor();

  @BeforeAll
  static void start() throws Exception {
    f = new MeterFixture(dataDir);
    assertEquals(TariffChange.OK, await(f.tariffs.putCallRate(CallRate.rated("8260", "test", Tariff.of(10, 60, 6, 0)))));
  }

  @AfterAll
  static void stop() throws Exception {
    poller.shutdownNow();
    f.close();
  }

  /** The real store, with its {@code save} replaced. */
  static class WrappedStore implements MeterStore {
    @Override public CompletionStage<Void> save(SessionCheckpoint checkpoint) { return f.store.save(checkpoint); }
    @Override public CompletionStage<Void> discard(UUID sessionId) { return f.store.discard(sessionId); }
    @Override public CompletionStage<List<SessionCheckpoint>> openCheckpoints() { return f.store.openCheckpoints(); }
    @Override public CompletionStage<Void> finish(UsageRecord record) { return f.store.finish(record); }
    @Override public CompletionStage<List<UsageRecord>> usage(UsageQuery query) { return f.store.usage(query); }
    @Override public CompletionStage<Optional<UsageRecord>> usageOf(UUID sessionId) { return f.store.usageOf(sessionId); }
  }

  /** Completes when the account shows a reservation, or fails after {@code limitMs}. */
  static CompletableFuture<Void> reservationSeen(long accountId, long limitMs) {
    CompletableFuture<Void> seen = new CompletableFuture<>();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(limitMs);
    poller.execute(new Runnable() {
      @Override
      public void run() {
        f.ledger.account(accountId).whenComplete((a, e) -> {
          if (e == null && a.isPresent() && a.get().debitsPending() > 0) seen.complete(null);
          else if (System.nanoTime() > deadline) seen.completeExceptionally(new IllegalStateException("no reservation while the checkpoint was written"));
          else poller.schedule(this, 20, TimeUnit.MILLISECONDS);
        });
      }
    });
    return seen;
  }

  @Test
  void theReservationIsWrittenWhileTheCheckpointIsStillBeingWritten() throws Exception {
    Account account = f.member("member:both", 100);
    // the checkpoint's write is held until the ledger shows the reservation: written one after the other,
    // the reservation would wait for the checkpoint and the save would give up
    MeterStore store = new WrappedStore() {
      @Override
      public CompletionStage<Void> save(SessionCheckpoint checkpoint) {
        return reservationSeen(account.id(), 10_000).thenCompose(v -> f.store.save(checkpoint));
      }
    };
    try (Meter meter = f.meter(f.ledger, MeterFixture.options(), store)) {
      Authorization a = await(meter.authorize(AuthorizeRequest.call("member:both", "+826012345", "c1"), SessionListener.NONE));
      assertEquals(AuthorizeResult.OK, a.result());
      assertEquals(90, f.account(account.id()).available(), "the first grant (60 s = 10 points) is reserved");
      assertTrue(await(f.store.openCheckpoints()).stream().anyMatch(c -> c.sessionId().equals(a.sessionId())),
          "and its checkpoint is durable");
      StopOutcome out = await(meter.stop(a.sessionId(), EndReason.CANCELLED));
      assertEquals(0, out.record().points());
      f.assertSettled(account, 100);
    }
  }

  @Test
  void aCheckpointThatCannotBeWrittenRefusesTheCallAndGivesTheReservedPointsBackAtOnce() throws Exception {
    Account account = f.member("member:nosave", 100);
    AtomicInteger saves = new AtomicInteger();
    MeterStore store = new WrappedStore() {
      @Override
      public CompletionStage<Void> save(SessionCheckpoint checkpoint) {
        saves.incrementAndGet();
        // fails only once the reservation is in, so the meter has one to give back
        return reservationSeen(account.id(), 10_000)
            .thenCompose(v -> CompletableFuture.failedFuture(new IllegalStateException("disk full")));
      }
    };
    try (Meter meter = f.meter(f.ledger, MeterFixture.options(), store)) {
      RuntimeException e = assertThrows(RuntimeException.class,
          () -> await(meter.authorize(AuthorizeRequest.call("member:nosave", "+826012345", "c2"), SessionListener.NONE)));
      assertTrue(String.valueOf(e.getMessage()).contains("disk full") || String.valueOf(e.getCause()).contains("disk full"), e.toString());
      assertEquals(1, saves.get());
      // voided now, not at the reservation's timeout (the clock does not move in this test)
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (f.account(account.id()).debitsPending() != 0 && System.nanoTime() < deadline) Thread.sleep(20);
      f.assertSettled(account, 100);
      assertEquals(0, f.account(account.id()).debitsPosted(), "nothing billed");
      assertTrue(await(f.store.openCheckpoints()).stream().noneMatch(c -> c.request().owner().equals("member:nosave")),
          "no checkpoint left for recovery to find");
      assertTrue(meter.liveOf("member:nosave").isEmpty(), "and no session");
    }
  }
}
