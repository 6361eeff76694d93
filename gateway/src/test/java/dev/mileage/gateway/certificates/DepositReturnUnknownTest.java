package dev.mileage.gateway.certificates;

import dev.mileage.gateway.TestGateway;
import dev.mileage.gateway.trading.PartnerSignature;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.mileage.gateway.certificates.CertHarness.check;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A SENT deposit return whose instruction the bank provider says it does not know (never taken, or lost): sent
 * again under the same instruction id, so the provider cannot pay twice, then confirmed; a status query without a
 * trustworthy answer (503, unsigned 404, timeout) leaves it SENT; a provider that keeps losing it makes it FAILED
 * with a reason for the operator, whose retry keeps the id. Real HTTP on loopback (the simulated bank, and a plain
 * server for answers the simulated bank never gives), PostgreSQL, the injected clock.
 */
class DepositReturnUnknownTest {
  static final String PAYER = "Woori Bank 1002-345-678901";
  @TempDir
  static Path dir;
  static CertHarness h;
  static SandboxBank bank;
  static long culture5k;

  @BeforeAll
  static void start() throws Exception {
    h = new CertHarness(dir);
    bank = h.bank.sim;
    culture5k = h.item("Culture Pass", 5_000);
  }

  @AfterAll
  static void stop() {
    if (h != null) h.close();
  }

  /** A wrong-amount deposit, recorded as owed back and sent at once; its settlement notice is held. Answers its id. */
  static long sentReturn(String login, long amountWon) throws Exception {
    var buyer = h.new Member(login).ready();
    JsonObject o = check(buyer.buy(UUID.randomUUID().toString(), culture5k, 1, "BANK_TRANSFER", null), 202).bodyAsJsonObject();
    var notice = h.payments.simulateDeposit(o.getJsonObject("bankTransfer").getString("reference"), amountWon, PAYER).orElseThrow();
    long id = check(h.postNotice(notice), 422).bodyAsJsonObject().getJsonObject("depositReturn").getLong("id");
    awaitStatus(id, "SENT");
    return id;
  }

  static JsonObject row(long id) throws Exception {
    return h.depositReturn(id);
  }

  static void awaitStatus(long id, String status) throws Exception {
    CertHarness.await("return " + id + " " + status, () -> status.equals(row(id).getString("status")));
  }

  /** One labelled counter from /metrics (0 when it was never counted). */
  static long counter(String name, String label) throws Exception {
    String metrics = check(h.gateway.send(HttpMethod.GET, "/metrics", null, null, null), 200).bodyAsString();
    Matcher m = Pattern.compile("(?m)^" + name + "_total\\{[^}]*" + Pattern.quote(label) + "[^}]*\\} ([0-9.E]+)$").matcher(metrics);
    return m.find() ? (long) Double.parseDouble(m.group(1)) : 0;
  }

  static long unanswered() throws Exception {
    return counter("certificates_deposit_return_status_answers", "standing=\"UNANSWERED\"");
  }

  /** The return's notice is late: the provider is asked (by this call or the feature's timer, whichever claims it). */
  static void askAfterNoticeIsLate() throws Exception {
    h.clock.advance(ReturnDispatcher.RECONCILE_AFTER);
    h.feature.reconcileReturns().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /** Lost by the provider, asked about: answers once it is SENT again (re-sent by the dispatcher under the same id). */
  static void lostAndSentAgain(long id, int resends) throws Exception {
    String instruction = row(id).getString("instructionId");
    int requests = bank.requests();
    assertTrue(bank.forget(instruction));
    askAfterNoticeIsLate();
    CertHarness.await("return " + id + " sent again", () -> row(id).getInteger("unknownResends") == resends
        && row(id).getString("status").equals("SENT"));
    JsonObject again = row(id);
    assertEquals(instruction, again.getString("instructionId"), "the same instruction id: the provider's idempotency key");
    assertEquals(requests + 1, bank.requests(), "sent once more");
    assertTrue(again.getString("returnReference").startsWith("sbx_rt_"), again.encode());
  }

  @Test
  void anInstructionTheProviderDoesNotKnowIsSentAgainUnderItsIdAndThenConfirmed() throws Exception {
    long returnedBefore = bank.returnedWon();
    bank.holdNotices(true);
    long id;
    try {
      id = sentReturn("unk-once", 3_100);
      assertEquals("dr-" + id + "-1", row(id).getString("instructionId"));
      assertEquals(returnedBefore + 3_100, bank.returnedWon());
      // the provider loses it before paying: nothing went back, and asked about it, it says so (signed)
      lostAndSentAgain(id, 1);
      assertEquals(returnedBefore + 3_100, bank.returnedWon(), "paid once, by the copy sent again");
    } finally {
      bank.holdNotices(false);
    }
    bank.releaseNotices().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    awaitStatus(id, "CONFIRMED");
    assertEquals(ReturnDispatcher.CONFIRMED_BY_PROVIDER, row(id).getString("confirmedBy"));
    // a copy of an instruction the provider does have is answered, not paid again
    h.clock.advance(Duration.ofHours(2));
    h.dispatchReturns();
    assertEquals(returnedBefore + 3_100, bank.returnedWon());
  }

  @Test
  void aStatusQueryWithoutATrustworthyAnswerLeavesItSent() throws Exception {
    bank.holdNotices(true);
    long id;
    try {
      id = sentReturn("unk-silent", 3_200);
      JsonObject sent = row(id);
      int requests = bank.requests();
      // the provider did lose it, but its status service is down: a 503 is no "unknown"
      assertTrue(bank.forget(sent.getString("instructionId")));
      bank.failStatusQueries(1);
      long unansweredBefore = unanswered();
      askAfterNoticeIsLate();
      CertHarness.await("the 503 read", () -> unanswered() > unansweredBefore);
      JsonObject after = row(id);
      assertEquals("SENT", after.getString("status"));
      assertEquals(sent.getString("returnReference"), after.getString("returnReference"));
      assertEquals(0, after.getInteger("unknownResends"));
      assertEquals(requests, bank.requests(), "nothing sent again");
      // asked again after as long, it answers: sent again under the same id
      lostAndSentAgainAfterItForgot(id);
    } finally {
      bank.holdNotices(false);
    }
    bank.releaseNotices().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    awaitStatus(id, "CONFIRMED");
  }

  /** As {@link #lostAndSentAgain} for an instruction the provider has already forgotten. */
  static void lostAndSentAgainAfterItForgot(long id) throws Exception {
    String instruction = row(id).getString("instructionId");
    askAfterNoticeIsLate();
    CertHarness.await("return " + id + " sent again", () -> row(id).getInteger("unknownResends") == 1
        && row(id).getString("status").equals("SENT"));
    assertEquals(instruction, row(id).getString("instructionId"));
  }

  @Test
  void onlyTheProvidersSignedWordMakesAnInstructionUnknown() throws Exception {
    // a plain server plays what may stand at the provider's URL: answers are set per test step
    Vertx vertx = h.gateway.clientVertx;
    String secret = h.bank.secret;
    AtomicReference<Object[]> next = new AtomicReference<>(); // {status code, body, signed?} or null: no answer at all
    HttpServer server = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
      Object[] a = next.get();
      if (a == null) return; // never answers: a timeout
      var resp = req.response().setStatusCode((Integer) a[0]);
      if ((Boolean) a[2]) resp.putHeader(BankTransferRoutes.SIGNATURE_HEADER, PartnerSignature.hmac(secret, (String) a[1]));
      resp.end((String) a[1]);
    })).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    // 5 s: every answer but the last case's comes at once, and a loaded machine may take longer than 500 ms to
    // deliver it (which read as UNANSWERED); the last case waits out the timeout once
    var provider = new BankProvider(vertx, "http://127.0.0.1:" + server.actualPort(), secret, Duration.ofSeconds(5));
    try {
      String unknown = new JsonObject().put("type", BankProvider.TYPE_STATUS).put("instructionId", "dr-7-1").put("status", "UNKNOWN").encode();
      String pending = new JsonObject().put("type", BankProvider.TYPE_STATUS).put("instructionId", "dr-7-1").put("status", "PENDING").encode();
      String otherId = unknown.replace("dr-7-1", "dr-8-1");
      Object[][] cases = {
          {404, unknown, true, BankProvider.Standing.UNKNOWN},
          {200, unknown, true, BankProvider.Standing.UNKNOWN},
          {200, pending, true, BankProvider.Standing.PENDING},
          {404, unknown, false, BankProvider.Standing.UNANSWERED},       // a proxy's or a wrong URL's 404
          {404, "{\"status\":\"UNKNOWN\"}", false, BankProvider.Standing.UNANSWERED},
          {404, otherId, true, BankProvider.Standing.UNANSWERED},        // about another instruction
          {503, unknown, true, BankProvider.Standing.UNANSWERED},
          {502, "bad gateway", false, BankProvider.Standing.UNANSWERED},
          {200, "not json", true, BankProvider.Standing.UNANSWERED},
          {null, null, null, BankProvider.Standing.UNANSWERED},          // no answer within the timeout
      };
      for (Object[] c : cases) {
        next.set(c[0] == null ? null : new Object[] {c[0], c[1], c[2]});
        var s = provider.status("dr-7-1", 7).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertEquals(c[3], s.standing(), "answer " + c[0] + " " + c[1] + " signed " + c[2] + ": " + s.detail());
        if (s.standing() != BankProvider.Standing.SETTLED) assertNull(s.settlement());
      }
    } finally {
      provider.close();
      server.close();
    }
  }

  @Test
  void aProviderThatKeepsLosingTheInstructionFailsItForTheOperatorWhoseRetryKeepsTheId() throws Exception {
    long returnedBefore = bank.returnedWon();
    bank.holdNotices(true);
    long id;
    String instruction;
    try {
      id = sentReturn("unk-lost", 3_300);
      instruction = row(id).getString("instructionId");
      for (int i = 1; i <= ReturnDispatcher.UNKNOWN_RESENDS_MAX; i++) lostAndSentAgain(id, i);
      assertTrue(bank.forget(instruction));
      askAfterNoticeIsLate();
      awaitStatus(id, "FAILED");
      JsonObject failed = row(id);
      assertEquals("UNKNOWN_TO_PROVIDER", failed.getString("failure"));
      assertTrue(failed.getString("failureReason").contains("does not know instruction " + instruction), failed.encode());
      assertTrue(failed.getString("failureReason").contains("sent again " + ReturnDispatcher.UNKNOWN_RESENDS_MAX + " times"),
          failed.encode());
      assertEquals(instruction, failed.getString("instructionId"));
      assertEquals(returnedBefore, bank.returnedWon(), "the provider lost every copy: nothing went back");
      // not sent again by itself
      int requests = bank.requests();
      h.clock.advance(ReturnDispatcher.BACKOFF_MAX);
      h.dispatchReturns();
      h.feature.reconcileReturns().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      assertEquals(requests, bank.requests());
      assertEquals("FAILED", row(id).getString("status"));
      // the operator sends it again: the same instruction id (the provider may have it after all), a fresh budget
      JsonObject retried = check(h.gateway.send(HttpMethod.POST, "/api/v1/certificates/admin/deposit-returns/" + id + "/retry",
          TestGateway.OPERATOR, TestGateway.PASSWORD, Buffer.buffer("{}")), 202).bodyAsJsonObject();
      assertEquals(instruction, retried.getString("instructionId"));
      assertEquals(0, retried.getInteger("unknownResends"));
      awaitStatus(id, "SENT");
    } finally {
      bank.holdNotices(false);
    }
    bank.releaseNotices().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    awaitStatus(id, "CONFIRMED");
    assertEquals(instruction, row(id).getString("instructionId"));
    assertEquals(returnedBefore + 3_300, bank.returnedWon(), "returned once");
  }
}
