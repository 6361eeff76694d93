package dev.mileage.gateway.mall;

import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.AccountFlags;
import dev.mileage.points.ledger.Ledger;
import dev.mileage.points.ledger.Transfer;
import dev.mileage.points.ledger.TransferCodes;
import dev.mileage.points.ledger.TransferRecord;
import dev.mileage.points.ledger.TransferResult;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.mileage.gateway.mall.MallHarness.check;
import static dev.mileage.gateway.mall.MallHarness.key;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The settlement schedule on a real gateway and PostgreSQL, driven by advancing the mall's clock (the schedule's
 * timer looks every 100 ms; what is due is decided on the clock): reimbursements owed longer than the delay are
 * paid with their toll, a payer whose cash position does not cover one is left owed and told once, overlapping
 * runs and manual payments pay each reimbursement exactly once, and a payment the ledger holds but the mall lost
 * is recorded, not paid again. Every figure is checked in the ledger.
 *
 * <p>Each spend: product B1 at vendor B costs 10 B tokens (rate 10) = 10 tokens of the payer (rate 10): the payer
 * owes B 100 won, and pays a toll of 50 won with it.
 */
class MallSettlementTest {
  static final Duration DELAY = Duration.ofHours(24);
  static final long VALUE_WON = 100;
  static final long TOLL_WON = 50;

  @TempDir
  static Path dataDir;
  static MallHarness h;
  static MallHarness.Member owner;
  static MallHarness.Member fan;
  static MallHarness.VendorClient b;

  @BeforeAll
  static void start() throws Exception {
    h = new MallHarness(dataDir, new MallOptions(300, 200, TOLL_WON, Duration.ofMillis(100)).withSettlement(Duration.ofMillis(100), DELAY));
    owner = h.new Member("settle-owner").ready();
    fan = h.new Member("settle-fan").ready();
    b = h.vendor(owner, "Settle Payee", 10);
    b.product("B1", 10);
  }

  @AfterAll
  static void stop() {
    if (h != null) h.close();
  }

  /** A payer vendor (rate 10) that bought {@code tokensBought} (its cash position: 10 won each), accepted at B. */
  static MallHarness.VendorClient payer(String name, long tokensBought, long allotted) throws Exception {
    owner.signIn(); // earlier tests moved the clock past the sessions' lifetime
    fan.signIn();
    MallHarness.VendorClient p = h.vendor(owner, name, 10);
    check(p.buyTokens(tokensBought, key()), 200);
    b.accept(p);
    fan.register(p.id);
    check(p.allot(fan.id, allotted, "LOYALTY", key()), 200);
    return p;
  }

  /** The fan buys B1 at B with the payer's tokens; answers the reimbursement id the payer owes B. */
  static long spend(MallHarness.VendorClient p) throws Exception {
    long entry = check(fan.spend(b.id, "B1", p.id, key()), 200).bodyAsJsonObject().getLong("id");
    Row r = query("SELECT id, amount_won FROM mall.reimbursement WHERE entry_id = $1", Tuple.of(entry)).get(0);
    assertEquals(VALUE_WON, r.getLong("amount_won"));
    return r.getLong("id");
  }

  static List<Row> query(String sql, Tuple args) throws Exception {
    List<Row> out = new ArrayList<>();
    h.gateway.app.context().pool().preparedQuery(sql).execute(args).toCompletionStage().toCompletableFuture()
        .get(30, TimeUnit.SECONDS).forEach(out::add);
    return out;
  }

  static Row reimbursement(long id) throws Exception {
    return query("SELECT * FROM mall.reimbursement WHERE id = $1", Tuple.of(id)).get(0);
  }

  static Account cash(long vendorId) throws Exception {
    return h.account("vendor:" + vendorId, MallLedger.CASH).orElseThrow();
  }

  static Optional<TransferRecord> transfer(java.util.UUID id) throws Exception {
    return ledger().transfer(id).toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  static Ledger ledger() {
    return h.gateway.app.context().ledger();
  }

  /** Polls (bounded) for what the schedule's next runs do once the clock has been advanced. */
  static void await(String what, Callable<Boolean> done) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!done.call()) {
      if (System.nanoTime() > deadline) throw new AssertionError("not within 30 s: " + what);
      Thread.sleep(20);
    }
  }

  static JsonObject runNow() throws Exception {
    return check(h.gateway.post("/api/v1/mall/admin/settlement-runs", new JsonObject()), 200).bodyAsJsonObject();
  }

  /** A run's report on one payer (present whenever the payer had something due, skipped or not). */
  static JsonObject settledBy(JsonObject run, long payerId) {
    return run.getJsonArray("payers").stream().map(x -> (JsonObject) x).filter(x -> x.getLong("vendorId") == payerId)
        .findFirst().orElseThrow(() -> new AssertionError(run.encode()));
  }

  static List<JsonObject> notifications(String kind, long vendorId) throws Exception {
    return check(h.gateway.get("/api/v1/mall/admin/notifications"), 200).bodyAsJsonArray().stream().map(o -> (JsonObject) o)
        .filter(n -> n.getString("kind").equals(kind) && n.getLong("vendorId") == vendorId).toList();
  }

  @Test
  void aReimbursementIsPaidByTheScheduleWithItsTollOnceTheDelayHasPassedOnTheClock() throws Exception {
    MallHarness.VendorClient p = payer("Sched Payer", 100, 50);
    long id = spend(p);
    JsonObject early = runNow();
    assertFalse(early.getJsonArray("payers").stream().anyMatch(x -> ((JsonObject) x).getLong("vendorId") == p.id), early.encode());
    h.clock.advance(DELAY.minusSeconds(1));
    runNow();
    assertEquals("OWED", reimbursement(id).getString("status"), "not yet due a second before the delay");
    Account before = cash(p.id);
    long payeeBefore = cash(b.id).creditsPosted();

    h.clock.advance(Duration.ofSeconds(2));
    await("the schedule pays " + id, () -> reimbursement(id).getString("status").equals("PAID"));
    Row paid = reimbursement(id);
    assertEquals("SCHEDULE", paid.getString("paid_by"));
    assertEquals(TOLL_WON, paid.getLong("toll_won"));
    Account after = cash(p.id);
    assertEquals(before.debitsPosted() + VALUE_WON + TOLL_WON, after.debitsPosted(), "the payment and its toll, once");
    assertEquals(before.debitsPending() - VALUE_WON, after.debitsPending(), "the reservation was posted");
    assertEquals(payeeBefore + VALUE_WON, cash(b.id).creditsPosted());
    TransferRecord toll = transfer(Transfer.idOf("mall:reimbursement:" + id + ":toll")).orElseThrow();
    assertEquals(TOLL_WON, toll.transfer().amount());
    assertEquals(after.id(), toll.transfer().debitAccountId());
    assertEquals(1, notifications("REIMBURSEMENTS_PAID", p.id).size());
    assertTrue(notifications("REIMBURSEMENTS_PAID", b.id).stream().anyMatch(n -> n.getString("detail").contains("from vendor " + p.id)));

    runNow();
    runNow();
    assertEquals(after, cash(p.id), "later runs pay nothing more");
  }

  @Test
  void aPayerWhoseCashDoesNotCoverIsLeftOwedUnpaidAndToldOnceThenPaidWhenItCan() throws Exception {
    MallHarness.VendorClient p = payer("Short Payer", 10, 10); // 100 won of cash; owes 100 + a toll of 50
    long id = spend(p);
    Account before = cash(p.id);
    h.clock.advance(DELAY.plusSeconds(1));
    await("the schedule reports " + id, () -> reimbursement(id).getOffsetDateTime("short_reported_at") != null);
    JsonObject mine = settledBy(runNow(), p.id);
    // the schedule runs every 100 ms outside this run's lock: while it settles this payer, the run skips it (reported
    // skipped, with nothing counted); run again until this run is the one that settled it
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (mine.getBoolean("skipped") && System.nanoTime() < deadline) mine = settledBy(runNow(), p.id);
    assertFalse(mine.getBoolean("skipped"), mine.encode());
    assertEquals(0, mine.getInteger("paid"));
    assertEquals(1, mine.getInteger("shortCount"));
    assertEquals(100, mine.getLong("cashWon"));
    runNow();
    assertEquals("OWED", reimbursement(id).getString("status"));
    assertEquals(before, cash(p.id), "nothing paid, not even the toll: no partial payment");
    assertTrue(transfer(Transfer.idOf("mall:reimbursement:" + id + ":toll")).isEmpty());
    List<JsonObject> told = notifications("SETTLEMENT_SHORT", p.id);
    assertEquals(1, told.size(), "told once, not at every run: " + told);
    assertEquals(VALUE_WON, told.get(0).getLong("amountWon"));
    assertTrue(told.get(0).getString("detail").contains("does not cover"), told.get(0).encode());

    check(p.buyTokens(10, key()), 200); // 100 won more: 200 covers 150
    await("the schedule pays " + id + " once covered", () -> reimbursement(id).getString("status").equals("PAID"));
    Account after = cash(p.id);
    assertEquals(before.debitsPosted() + VALUE_WON + TOLL_WON, after.debitsPosted());
    assertEquals(50, after.posted());
  }

  @Test
  void overlappingRunsAndManualPaymentsPayEveryReimbursementExactlyOnce() throws Exception {
    int owed = 30;
    MallHarness.VendorClient p = payer("Busy Payer", 1000, 10L * owed);
    List<Long> ids = new ArrayList<>();
    for (int i = 0; i < owed; i++) ids.add(spend(p));
    Account before = cash(p.id);
    h.clock.advance(DELAY.plusSeconds(1));
    List<CompletableFuture<HttpResponse<Buffer>>> calls = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      calls.add(async(() -> h.gateway.post("/api/v1/mall/admin/settlement-runs", new JsonObject())));
      calls.add(async(() -> p.post("/api/v1/mall/vendor/reimbursements/pay", new JsonObject())));
      calls.add(async(() -> h.gateway.post("/api/v1/mall/admin/vendors/" + p.id + "/reimbursements/pay", new JsonObject())));
    }
    Set<Long> reported = new HashSet<>();
    for (var c : calls) {
      JsonObject r = check(c.get(60, TimeUnit.SECONDS), 200).bodyAsJsonObject();
      List<JsonArray> lists = new ArrayList<>();
      if (r.containsKey("payers")) {
        r.getJsonArray("payers").stream().map(x -> (JsonObject) x).filter(x -> x.getLong("vendorId") == p.id)
            .forEach(x -> lists.add(x.getJsonArray("reimbursementIds")));
      } else {
        lists.add(r.getJsonArray("reimbursementIds"));
      }
      for (JsonArray l : lists) for (Object o : l) assertTrue(reported.add(((Number) o).longValue()), "paid twice: " + o);
    }
    await("all paid", () -> query("SELECT count(*) FROM mall.reimbursement WHERE payer_vendor_id = $1 AND status = 'OWED'",
        Tuple.of(p.id)).get(0).getLong(0) == 0);
    assertTrue(ids.containsAll(reported));
    Account after = cash(p.id);
    assertEquals(before.debitsPosted() + owed * (VALUE_WON + TOLL_WON), after.debitsPosted(), "each paid once, each toll once");
    assertEquals(0, after.debitsPending());
    for (Row r : query("SELECT paid_by, toll_won FROM mall.reimbursement WHERE payer_vendor_id = $1", Tuple.of(p.id))) {
      assertTrue(Set.of("SCHEDULE", "VENDOR", "OPERATOR").contains(r.getString("paid_by")));
      assertEquals(TOLL_WON, r.getLong("toll_won"));
    }
  }

  @Test
  void aPaymentTheLedgerHoldsButTheMallLostIsRecordedNotPaidAgain() throws Exception {
    MallHarness.VendorClient p = payer("Recovered Payer", 15, 10); // 150 won: exactly one payment and its toll
    long id = spend(p);
    // as if a run committed in the ledger and its mall transaction was lost: the row is still OWED
    Account payerCash = cash(p.id);
    Account tolls = ledger().openAccount(MallLedger.TOLLS, MallLedger.CASH, AccountFlags.NONE).toCompletableFuture().get(30, TimeUnit.SECONDS);
    Row r = reimbursement(id);
    String ref = "reimbursement " + id + " to vendor " + b.id;
    List<TransferResult> results = ledger().submit(List.of(
        Transfer.post(Settlements.payId(id), r.getUUID("pending_id"), VALUE_WON, TransferCodes.TOKEN_REIMBURSEMENT, ref).linked(),
        Transfer.single(Transfer.idOf("mall:reimbursement:" + id + ":toll"), payerCash.id(), tolls.id(), TOLL_WON,
            TransferCodes.TOKEN_TOLL, "toll on " + ref))).toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertEquals(List.of(TransferResult.OK, TransferResult.OK), results);
    Account paidInLedger = cash(p.id);
    assertEquals(0, paidInLedger.posted());

    h.clock.advance(DELAY.plusSeconds(1));
    await("the schedule records " + id, () -> reimbursement(id).getString("status").equals("PAID"));
    assertEquals(paidInLedger, cash(p.id), "not paid a second time");
    assertTrue(notifications("SETTLEMENT_SHORT", p.id).isEmpty(), "a payment already made is not reported as short");
    assertNotNull(reimbursement(id).getOffsetDateTime("paid_at"));
  }

  static CompletableFuture<HttpResponse<Buffer>> async(Callable<HttpResponse<Buffer>> call) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return call.call();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
  }
}
