package dev.mileage.gateway.certificates;

import dev.mileage.gateway.LogCapture;
import dev.mileage.gateway.TestGateway;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static dev.mileage.gateway.certificates.CertHarness.check;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Refused deposits go back through the (simulated) bank provider over real HTTP on loopback, with PostgreSQL:
 * once however many dispatchers run, retried with backoff while the provider fails or is silent, FAILED with the
 * provider's reason on a refusal and sent again by an operator, confirmed only by the provider's signed notice; the
 * buyer (only) follows it on the order; nothing moves in the ledger; no secret or account reaches the log.
 */
class DepositReturnDispatchTest {
  static final String PAYER = "Woori Bank 1002-345-678901";
  static final String CLOSED = "Shinhan Bank 110-CLOSED-445566";
  @TempDir
  static Path dir;
  static CertHarness h;
  static SandboxBank bank;
  static long culture5k;
  static LogCapture logs;

  @BeforeAll
  static void start() throws Exception {
    logs = LogCapture.install();
    h = new CertHarness(dir);
    bank = h.bank.sim;
    culture5k = h.item("Culture Pass", 5_000);
  }

  @AfterAll
  static void stop() {
    if (logs != null) logs.close();
    if (h != null) h.close();
  }

  static JsonObject order(CertHarness.Member m) throws Exception {
    return check(m.buy(UUID.randomUUID().toString(), culture5k, 1, "BANK_TRANSFER", null), 202).bodyAsJsonObject();
  }

  /** A wrong-amount deposit from {@code payer} into the order: recorded as owed back; answers the return's id. */
  static long refusedDeposit(JsonObject order, long amountWon, String payer) throws Exception {
    var notice = h.payments.simulateDeposit(order.getJsonObject("bankTransfer").getString("reference"), amountWon, payer).orElseThrow();
    return check(h.postNotice(notice), 422).bodyAsJsonObject().getJsonObject("depositReturn").getLong("id");
  }

  static JsonObject row(long id) throws Exception {
    return h.depositReturn(id);
  }

  static String status(long id) throws Exception {
    return row(id).getString("status");
  }

  static void awaitStatus(long id, String status) throws Exception {
    CertHarness.await("return " + id + " " + status, () -> status.equals(status(id)));
  }

  static HttpResponse<Buffer> operatorPost(String path) throws Exception {
    return h.gateway.send(HttpMethod.POST, path, TestGateway.OPERATOR, TestGateway.PASSWORD, Buffer.buffer("{}"));
  }

  static HttpResponse<Buffer> settlement(String payload, String signature) throws Exception {
    var req = h.gateway.client.request(HttpMethod.POST, CertificatesFeature.RETURN_NOTICE_PATH).putHeader("Content-Type", "application/json");
    if (signature != null) req.putHeader(BankTransferRoutes.SIGNATURE_HEADER, signature);
    return req.sendBuffer(Buffer.buffer(payload)).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  static String settled(JsonObject row, long amountWon, String outcome, String reference) {
    JsonObject j = new JsonObject().put("type", BankProvider.TYPE_SETTLED).put("instructionId", row.getString("instructionId"))
        .put("returnId", row.getLong("id")).put("amountWon", amountWon).put("outcome", outcome);
    if (reference != null) j.put("reference", reference);
    return j.encode();
  }

  @Test
  void aRefusedDepositGoesBackOnceAndOnlyItsBuyerFollowsIt() throws Exception {
    var buyer = h.new Member("rd-buyer").ready();
    var other = h.new Member("rd-other").ready();
    JsonObject o = order(buyer);
    long transfers = h.ledgerTransfersCommitted();
    long returnedBefore = bank.returnedWon();
    bank.holdNotices(true);
    long id;
    try {
      id = refusedDeposit(o, 4_000, PAYER);
      // sent right after it was recorded, without waiting for the timer
      awaitStatus(id, "SENT");
      JsonObject sent = row(id);
      assertTrue(sent.getString("returnReference").startsWith("sbx_rt_"), sent.encode());
      assertEquals("dr-" + id + "-1", sent.getString("instructionId"));
      assertEquals(returnedBefore + 4_000, bank.returnedWon());
      JsonObject onOrder = check(buyer.get("/api/v1/certificates/purchases/" + o.getLong("id")), 200).bodyAsJsonObject()
          .getJsonArray("depositReturns").getJsonObject(0);
      assertEquals("SENT", onOrder.getString("status"));
      assertTrue(onOrder.getString("note").contains("waiting for the bank"), onOrder.encode());
      assertEquals("…8901", onOrder.getString("payerAccount"));
      check(other.get("/api/v1/certificates/purchases/" + o.getLong("id")), 404);
      // a manual confirmation of a return the provider has is refused: it could pay twice
      assertEquals("not_failed", check(h.gateway.post("/api/v1/certificates/admin/deposit-returns/" + id + "/confirm",
          new JsonObject().put("returnReference", "RT-BY-HAND")), 409).bodyAsJsonObject().getString("error"));
      assertEquals(1, bank.heldNotices());
    } finally {
      bank.holdNotices(false);
    }
    bank.releaseNotices().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    awaitStatus(id, "CONFIRMED");
    JsonObject done = row(id);
    assertEquals(ReturnDispatcher.CONFIRMED_BY_PROVIDER, done.getString("confirmedBy"));
    JsonObject mine = check(buyer.get("/api/v1/certificates/purchases/" + o.getLong("id")), 200).bodyAsJsonObject()
        .getJsonArray("depositReturns").getJsonObject(0);
    assertEquals("CONFIRMED", mine.getString("status"));
    assertEquals(done.getString("returnReference"), mine.getString("returnReference"));
    // the provider re-sending its notice changes nothing; more dispatching sends nothing more
    assertEquals("ALREADY_SETTLED", check(settlement(settled(done, 4_000, "COMPLETED", done.getString("returnReference")),
        bank.sign(settled(done, 4_000, "COMPLETED", done.getString("returnReference")))), 200).bodyAsJsonObject().getString("result"));
    assertEquals("AWAITING_DEPOSIT", check(buyer.get("/api/v1/certificates/purchases/" + o.getLong("id")), 200).bodyAsJsonObject()
        .getString("status"));
    h.clock.advance(Duration.ofHours(2));
    h.dispatchReturns();
    assertEquals(returnedBefore + 4_000, bank.returnedWon(), "returned once");
    assertEquals(transfers, h.ledgerTransfersCommitted(), "nothing moved in the ledger for the return");
    for (String line : logs.lines) {
      assertFalse(line.contains(h.bank.secret) || line.contains("1002-345") || line.contains("CLOSED-4455"), "secret or account in the log: " + line);
    }
    assertTrue(logs.lines.stream().anyMatch(l -> l.contains("deposit return " + id + " confirmed by the bank provider")), logs.lines.toString());
  }

  @Test
  void concurrentDispatchersSendEachReturnOnce() throws Exception {
    var buyer = h.new Member("rd-race").ready();
    JsonObject o = order(buyer);
    int requestsBefore = bank.requests();
    long returnedBefore = bank.returnedWon();
    // a second dispatcher, as another gateway on the same database would run
    var secondBank = new BankProvider(h.gateway.clientVertx, bank.url(), h.bank.secret, CertHarness.BANK_TIMEOUT);
    var second = new ReturnDispatcher(h.gateway.app.context().pool(), h.clock, secondBank, CertHarness.BANK_TIMEOUT,
        h.gateway.app.context().metrics());
    List<Long> ids = new ArrayList<>();
    List<Future<Integer>> runs = new ArrayList<>();
    long total = 0;
    for (int i = 0; i < 6; i++) {
      ids.add(refusedDeposit(o, 1_000 + i, PAYER));
      total += 1_000 + i;
      runs.add(h.feature.dispatchReturns());
      runs.add(second.dispatchDue());
      runs.add(h.feature.dispatchReturns());
    }
    Future.join(runs).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    for (long id : ids) CertHarness.await("return " + id + " sent", () -> !status(id).equals("OWED"));
    assertEquals(6, bank.requests() - requestsBefore, "one instruction per return, however many dispatchers ran");
    assertEquals(returnedBefore + total, bank.returnedWon());
    for (long id : ids) awaitStatus(id, "CONFIRMED");
    secondBank.close();
  }

  @Test
  void aFailingOrSilentProviderIsRetriedWithBackoffThenTheReturnGoesThrough() throws Exception {
    var buyer = h.new Member("rd-retry").ready();
    JsonObject o = order(buyer);
    long returnedBefore = bank.returnedWon();
    int requestsBefore = bank.requests();
    bank.failNext(2);
    long id = refusedDeposit(o, 3_000, PAYER);
    CertHarness.await("first attempt answered 503", () -> row(id).getInteger("attempts") == 1);
    JsonObject first = row(id);
    assertEquals("OWED", first.getString("status"));
    assertEquals("HTTP 503", first.getString("lastError"));
    assertEquals(h.clock.instant().plus(ReturnDispatcher.BACKOFF_BASE).toString(), first.getString("nextAttemptAt"));
    // not due yet: nothing is sent
    h.dispatchReturns();
    assertEquals(requestsBefore + 1, bank.requests());
    h.clock.advance(ReturnDispatcher.BACKOFF_BASE);
    h.dispatchReturns();
    CertHarness.await("second attempt recorded", () -> row(id).getInteger("attempts") == 2);
    JsonObject second = row(id);
    assertEquals(h.clock.instant().plus(ReturnDispatcher.BACKOFF_BASE.multipliedBy(2)).toString(), second.getString("nextAttemptAt"),
        "the wait doubles");
    // the provider takes the third instruction but its answer never arrives: a timeout, retried with the same id
    bank.holdNotices(true); // (its settlement notice would otherwise confirm the return before the timeout is seen)
    bank.loseAnswers(1);
    h.clock.advance(ReturnDispatcher.BACKOFF_BASE.multipliedBy(2));
    h.dispatchReturns();
    CertHarness.await("third attempt recorded", () -> row(id).getInteger("attempts") == 3);
    JsonObject third = row(id);
    assertEquals("OWED", third.getString("status"));
    assertEquals(3, third.getInteger("attempts"));
    assertTrue(third.getString("lastError").startsWith("no answer"), third.encode());
    assertEquals(returnedBefore + 3_000, bank.returnedWon(), "the bank did pay it");
    h.clock.advance(ReturnDispatcher.BACKOFF_BASE.multipliedBy(4));
    h.dispatchReturns();
    awaitStatus(id, "SENT");
    bank.holdNotices(false);
    bank.releaseNotices().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    awaitStatus(id, "CONFIRMED");
    assertEquals(returnedBefore + 3_000, bank.returnedWon(), "the repeat got the first answer, not a second payment");
    assertEquals(requestsBefore + 4, bank.requests());

    // a provider that never answers: bounded attempts, then FAILED (UNREACHABLE); the retry keeps the instruction id
    bank.failNext(ReturnDispatcher.ATTEMPTS_MAX);
    long silent = refusedDeposit(o, 2_500, PAYER);
    untilFailed(silent);
    JsonObject failed = row(silent);
    assertEquals("FAILED", failed.getString("status"));
    assertEquals("UNREACHABLE", failed.getString("failure"));
    assertEquals(ReturnDispatcher.ATTEMPTS_MAX, failed.getInteger("attempts"));
    assertTrue(failed.getString("failureReason").contains("did not answer"), failed.encode());
    h.clock.advance(ReturnDispatcher.BACKOFF_MAX);
    h.dispatchReturns();
    assertEquals("FAILED", status(silent), "a FAILED return is not sent again by itself");
    assertEquals("RETRYING", check(operatorPost("/api/v1/certificates/admin/deposit-returns/" + silent + "/retry"), 202)
        .bodyAsJsonObject().getString("result"));
    awaitStatus(silent, "CONFIRMED");
    assertEquals("dr-" + silent + "-1", row(silent).getString("instructionId"));
    assertEquals(returnedBefore + 5_500, bank.returnedWon());
  }

  /** Dispatches {@code id} (whose provider does not answer) attempt after attempt, the clock moved past each backoff. */
  static void untilFailed(long id) throws Exception {
    CertHarness.await("first attempt", () -> row(id).getInteger("attempts") >= 1 || status(id).equals("FAILED"));
    for (int i = 0; i < ReturnDispatcher.ATTEMPTS_MAX * 3 && !status(id).equals("FAILED"); i++) {
      int before = row(id).getInteger("attempts");
      h.clock.advance(ReturnDispatcher.BACKOFF_MAX);
      h.dispatchReturns();
      CertHarness.await("an attempt recorded", () -> row(id).getInteger("attempts") > before || status(id).equals("FAILED"));
    }
  }

  @Test
  void aProviderCompletionAfterAManualConfirmationChangesNothingAndIsFlagged() throws Exception {
    var buyer = h.new Member("rd-late").ready();
    JsonObject o = order(buyer);
    bank.failNext(ReturnDispatcher.ATTEMPTS_MAX);
    long id = refusedDeposit(o, 2_200, PAYER);
    untilFailed(id);
    assertEquals("UNREACHABLE", row(id).getString("failure"));
    check(h.gateway.post("/api/v1/certificates/admin/deposit-returns/" + id + "/confirm",
        new JsonObject().put("returnReference", "RT-HAND-" + id)), 200);
    // the provider had taken the instruction after all and reports it returned
    String late = settled(row(id), 2_200, "COMPLETED", "sbx_rt_late_" + id);
    assertEquals("conflict", check(settlement(late, bank.sign(late)), 409).bodyAsJsonObject().getString("error"));
    JsonObject after = row(id);
    assertEquals("CONFIRMED", after.getString("status"));
    assertEquals("RT-HAND-" + id, after.getString("returnReference"));
    assertTrue(logs.lines.stream().anyMatch(l -> l.contains("deposit return " + id) && l.contains("double return")), logs.lines.toString());
  }

  @Test
  void aSentReturnWhoseNoticeIsLostIsSettledByAskingTheProvider() throws Exception {
    var buyer = h.new Member("rd-lost-notice").ready();
    JsonObject o = order(buyer);
    bank.holdNotices(true); // the provider's notice never arrives
    long id;
    try {
      id = refusedDeposit(o, 3_900, PAYER);
      awaitStatus(id, "SENT");
      String reference = row(id).getString("returnReference");
      assertEquals(0, h.feature.reconcileReturns().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS),
          "not late yet: the provider is not asked");
      assertEquals("SENT", status(id));
      h.clock.advance(ReturnDispatcher.RECONCILE_AFTER);
      h.feature.reconcileReturns().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      awaitStatus(id, "CONFIRMED");
      JsonObject done = row(id);
      assertEquals(reference, done.getString("returnReference"));
      assertEquals(ReturnDispatcher.CONFIRMED_BY_PROVIDER, done.getString("confirmedBy"));
    } finally {
      bank.holdNotices(false);
    }
    // the notice, when it does come, is a repeat
    bank.releaseNotices().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertEquals(0, bank.heldNotices());
    assertEquals("CONFIRMED", status(id));
  }

  @Test
  void aRefusalLeavesItFailedWithTheReasonAndAnOperatorRetryOrConfirmationSettlesIt() throws Exception {
    var buyer = h.new Member("rd-refused").ready();
    var notOperator = h.new Member("rd-not-op").ready();
    JsonObject o = order(buyer);
    long returnedBefore = bank.returnedWon();
    long id = refusedDeposit(o, 4_100, CLOSED);
    awaitStatus(id, "FAILED");
    JsonObject failed = row(id);
    assertEquals("REFUSED", failed.getString("failure"));
    assertEquals("the payer's account is closed", failed.getString("failureReason"));
    assertNull(failed.getString("returnReference"));
    JsonObject mine = check(buyer.get("/api/v1/certificates/purchases/" + o.getLong("id")), 200).bodyAsJsonObject()
        .getJsonArray("depositReturns").getJsonObject(0);
    assertEquals("FAILED", mine.getString("status"));
    assertFalse(mine.encode().contains("CLOSED"), "the buyer sees the account masked");
    assertEquals(returnedBefore, bank.returnedWon());
    // only operators retry; bad ids change nothing
    assertEquals(403, notOperator.post("/api/v1/certificates/admin/deposit-returns/" + id + "/retry", new JsonObject()).statusCode());
    check(operatorPost("/api/v1/certificates/admin/deposit-returns/999999/retry"), 404);
    assertEquals("FAILED", status(id));

    // the payer's bank reopens the account; the retry is a new instruction (the refused one moved nothing)
    bank.refuseClosedAccounts(false);
    try {
      check(operatorPost("/api/v1/certificates/admin/deposit-returns/" + id + "/retry"), 202);
      awaitStatus(id, "CONFIRMED");
    } finally {
      bank.refuseClosedAccounts(true);
    }
    assertEquals("dr-" + id + "-2", row(id).getString("instructionId"));
    assertEquals(returnedBefore + 4_100, bank.returnedWon());
    assertEquals("not_failed", check(operatorPost("/api/v1/certificates/admin/deposit-returns/" + id + "/retry"), 409)
        .bodyAsJsonObject().getString("error"));

    // the fallback: a refused return sent back by other means is confirmed by hand, once
    long byHand = refusedDeposit(o, 4_200, CLOSED);
    awaitStatus(byHand, "FAILED");
    String reference = "RT-MANUAL-" + byHand;
    JsonObject confirmed = check(h.gateway.post("/api/v1/certificates/admin/deposit-returns/" + byHand + "/confirm",
        new JsonObject().put("returnReference", reference)), 200).bodyAsJsonObject();
    assertEquals("CONFIRMED", confirmed.getString("status"));
    assertEquals(TestGateway.OPERATOR, confirmed.getString("confirmedBy"));
    assertEquals("ALREADY_RETURNED", check(h.gateway.post("/api/v1/certificates/admin/deposit-returns/" + byHand + "/confirm",
        new JsonObject().put("returnReference", reference)), 200).bodyAsJsonObject().getString("result"));
    assertEquals(returnedBefore + 4_100, bank.returnedWon(), "the bank paid nothing for the one returned by hand");
  }

  @Test
  void forgedOrMismatchedSettlementNoticesChangeNothing() throws Exception {
    var buyer = h.new Member("rd-forge").ready();
    JsonObject o = order(buyer);
    bank.holdNotices(true);
    long id;
    try {
      id = refusedDeposit(o, 3_300, PAYER);
      awaitStatus(id, "SENT");
      JsonObject sent = row(id);
      String genuine = settled(sent, 3_300, "COMPLETED", sent.getString("returnReference"));
      check(settlement(genuine, null), 401);
      check(settlement(genuine, "00".repeat(32)), 401);
      String otherSecret = SandboxBank.newSecret();
      check(settlement(genuine, dev.mileage.gateway.trading.PartnerSignature.hmac(otherSecret, genuine)), 401);
      // a genuine signature over a changed body, or over a body of another kind (our own instruction), is no signature
      check(settlement(genuine.replace("3300", "33000"), bank.sign(genuine)), 401);
      String instruction = new BankProvider.Instruction(sent.getString("instructionId"), id, 3_300, PAYER, "x").json();
      check(settlement(instruction, bank.sign(instruction)), 401);
      // signed by the bank but disagreeing with our record
      String wrongAmount = settled(sent, 3_301, "COMPLETED", sent.getString("returnReference"));
      assertEquals("mismatch", check(settlement(wrongAmount, bank.sign(wrongAmount)), 409).bodyAsJsonObject().getString("error"));
      String wrongRef = settled(sent, 3_300, "COMPLETED", "sbx_rt_forged");
      assertEquals("mismatch", check(settlement(wrongRef, bank.sign(wrongRef)), 409).bodyAsJsonObject().getString("error"));
      String unknown = settled(sent.copy().put("id", 987_654L), 3_300, "COMPLETED", "sbx_rt_x");
      check(settlement(unknown, bank.sign(unknown)), 404);
      check(settlement("{}".repeat(1_100), "ab"), 400);
      assertEquals("SENT", status(id), "nothing changed");
      assertEquals(sent.getString("returnReference"), row(id).getString("returnReference"));
      // the bank's own later refusal of a sent return fails it with its reason
      String refused = settled(sent, 3_300, "REFUSED", null).replace("}", ",\"reason\":\"beneficiary bank rejected the credit\"}");
      assertEquals("FAILED", check(settlement(refused, bank.sign(refused)), 200).bodyAsJsonObject().getString("result"));
      JsonObject failed = row(id);
      assertEquals("FAILED", failed.getString("status"));
      assertEquals("beneficiary bank rejected the credit", failed.getString("failureReason"));
      // and the held notice of its completion now conflicts: it changes nothing
      assertEquals("conflict", check(settlement(genuine, bank.sign(genuine)), 409).bodyAsJsonObject().getString("error"));
    } finally {
      bank.holdNotices(false);
      bank.releaseNotices().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS); // refused (409): dropped
    }
    assertEquals("FAILED", status(id));
    assertEquals(0, bank.heldNotices());
  }
}
