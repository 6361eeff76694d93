package dev.mileage.gateway.certificates;

import dev.mileage.gateway.shop.PaymentProvider;
import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.StandardPointTypes;
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
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.mileage.gateway.certificates.CertHarness.check;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bank-transfer settlement over real HTTP, PostgreSQL, the ledger and the SMSC: an order waits for the
 * provider's signed deposit notice; only the exact amount before the deadline issues, exactly once.
 */
class BankTransferTest {
  @TempDir
  static Path dir;
  static CertHarness h;
  static long culture5k;
  static long books10k;

  @BeforeAll
  static void start() throws Exception {
    h = new CertHarness(dir);
    culture5k = h.item("Culture Pass", 5_000);
    books10k = h.item("Kyoro Books", 10_000);
  }

  @AfterAll
  static void stop() {
    if (h != null) h.close();
  }

  static HttpResponse<Buffer> postNotice(PaymentProvider.DepositNotice n) throws Exception {
    return h.gateway.client.request(HttpMethod.POST, "/certificates/bank-transfers/deposits")
        .putHeader("Content-Type", "application/json").putHeader(BankTransferRoutes.SIGNATURE_HEADER, n.signature())
        .sendBuffer(Buffer.buffer(n.payload())).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  static JsonObject order(CertHarness.Member m, String key, long item, int sheets) throws Exception {
    JsonObject o = check(m.buy(key, item, sheets, "BANK_TRANSFER", null), 202).bodyAsJsonObject();
    assertEquals("AWAITING_DEPOSIT", o.getString("status"));
    return o;
  }

  static Optional<Account> ledgerAccount(String owner) throws Exception {
    return h.gateway.app.context().ledger().accountOf(owner, StandardPointTypes.GIFT_CERTIFICATE)
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  static JsonObject simulate(CertHarness.Member m, long purchaseId, long amountWon, int status) throws Exception {
    return check(m.post("/api/v1/certificates/purchases/" + purchaseId + "/sandbox-deposit",
        new JsonObject().put("amountWon", amountWon)), status).bodyAsJsonObject();
  }

  @Test
  void exactDepositIssuesOnceAndRepeatsIssueNothing() throws Exception {
    var a = h.new Member("bt-buyer").ready();
    var other = h.new Member("bt-other").ready();
    String key = UUID.randomUUID().toString();
    JsonObject o = order(a, key, books10k, 2);
    long id = o.getLong("id");
    JsonObject bt = o.getJsonObject("bankTransfer");
    assertEquals(20_000, bt.getLong("amountWon"));
    assertTrue(bt.getString("virtualAccount").matches("990-[0-9]{4}-[0-9]{6}"), bt.encode());
    assertEquals(h.clock.instant().plus(CertificatesOptions.defaults().bankTransferWindow()).toString(), bt.getString("payBy"));
    // the same request again answers the same order, no second one
    assertEquals(bt, check(a.buy(key, books10k, 2, "BANK_TRANSFER", null), 202).bodyAsJsonObject().getJsonObject("bankTransfer"));
    assertEquals(0, a.mine().size(), "nothing issued before the money arrives");
    assertEquals("AWAITING_DEPOSIT", check(a.get("/api/v1/certificates/purchases/" + id), 200).bodyAsJsonObject().getString("status"));

    // another member neither sees nor pays it
    assertEquals("not_found", check(other.get("/api/v1/certificates/purchases/" + id), 404).bodyAsJsonObject().getString("error"));
    long depositedBefore = h.payments.depositedWon();
    simulate(other, id, 20_000, 404);
    assertEquals(depositedBefore, h.payments.depositedWon(), "nothing reached the bank for a refused request");
    check(h.gateway.send(HttpMethod.GET, "/api/v1/certificates/purchases/" + id, null, null, null), 401);

    // a deposit of the wrong amount is refused and changes nothing
    JsonObject wrong = simulate(a, id, 19_999, 422);
    assertEquals("amount_mismatch", wrong.getString("error"));
    assertTrue(wrong.getString("reason").contains("20000"), wrong.encode());
    assertEquals("AWAITING_DEPOSIT", check(a.get("/api/v1/certificates/purchases/" + id), 200).bodyAsJsonObject().getString("status"));
    assertEquals(0, a.mine().size());
    assertTrue(ledgerAccount(CertificateLedger.certificateOwner(id, 1)).isEmpty(), "no certificate account opened");

    // the exact amount issues both certificates, once
    var notice = h.payments.simulateDeposit(bt.getString("reference"), 20_000).orElseThrow();
    JsonObject paid = check(postNotice(notice), 200).bodyAsJsonObject();
    assertEquals("ISSUED", paid.getString("result"));
    assertEquals(id, paid.getLong("purchaseId"));
    assertEquals(2, a.mine().size());
    assertEquals("ISSUED", check(a.get("/api/v1/certificates/purchases/" + id), 200).bodyAsJsonObject().getString("status"));
    h.awaitSms(a.phone, b -> b.contains("purchase " + id) && b.contains("by bank transfer"));

    // the provider repeats its notice, a second deposit arrives, the buyer repeats the purchase: nothing more
    assertEquals("ALREADY_PAID", check(postNotice(notice), 200).bodyAsJsonObject().getString("result"));
    JsonObject second = simulate(a, id, 20_000, 200);
    assertEquals("ALREADY_PAID", second.getString("result"));
    assertTrue(second.getString("reason").contains("another deposit"), second.encode());
    JsonObject again = check(a.buy(key, books10k, 2, "BANK_TRANSFER", null), 201).bodyAsJsonObject();
    assertEquals(id, again.getLong("id"));
    assertEquals(2, again.getJsonArray("certificates").size());
    assertFalse(again.getJsonArray("certificates").getJsonObject(0).containsKey("pin"), "PINs are never shown again");
    assertEquals(2, a.mine().size());
    // the ledger: each certificate holds its face value, funded once
    for (int sheet = 1; sheet <= 2; sheet++) {
      Account acc = ledgerAccount(CertificateLedger.certificateOwner(id, sheet)).orElseThrow();
      assertEquals(10_000, acc.creditsPosted());
      assertEquals(10_000, acc.available());
    }
    assertTrue(ledgerAccount(CertificateLedger.certificateOwner(id, 3)).isEmpty());
    // the buyer sets a PIN (none was shown: nobody was there when the money arrived)
    long cert = a.mine().getJsonObject(0).getLong("id");
    assertTrue(check(a.post("/api/v1/certificates/mine/" + cert + "/pin", null), 200).bodyAsJsonObject().getString("pin").matches("[0-9]{6}"));
  }

  @Test
  void forgedUnknownOrMalformedNoticesAreRefused() throws Exception {
    var a = h.new Member("bt-forger").ready();
    JsonObject o = order(a, UUID.randomUUID().toString(), culture5k, 1);
    String ref = o.getJsonObject("bankTransfer").getString("reference");
    String payload = new JsonObject().put("depositId", "forged-1").put("reference", ref).put("amountWon", 5_000).encode();
    var forged = new PaymentProvider.DepositNotice(payload, "00".repeat(32));
    assertEquals("bad_signature", check(postNotice(forged), 401).bodyAsJsonObject().getString("error"));
    // a real signature over other content does not carry over
    var real = h.payments.simulateDeposit(ref, 5_000).orElseThrow();
    check(postNotice(new PaymentProvider.DepositNotice(payload, real.signature())), 401);
    var noSignature = h.gateway.client.request(HttpMethod.POST, "/certificates/bank-transfers/deposits")
        .putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(payload))
        .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    assertEquals(401, noSignature.statusCode());
    check(postNotice(new PaymentProvider.DepositNotice("", "ab")), 400);
    assertEquals("unknown_reference", check(postNotice(h.payments.simulateDeposit("sbx_bt_nope", 5_000).orElseThrow()), 404)
        .bodyAsJsonObject().getString("error"));
    simulate(a, o.getLong("id"), 0, 400);
    simulate(a, 999_999, 5_000, 404);
    assertEquals("AWAITING_DEPOSIT", check(a.get("/api/v1/certificates/purchases/" + o.getLong("id")), 200)
        .bodyAsJsonObject().getString("status"));
    assertEquals(0, a.mine().size());
    // the genuine notice still pays it
    assertEquals("ISSUED", check(postNotice(real), 200).bodyAsJsonObject().getString("result"));
    assertEquals(1, a.mine().size());
  }

  @Test
  void unpaidOrdersExpireOnTheClockAndALateDepositIssuesNothing() throws Exception {
    var a = h.new Member("bt-late").ready();
    String key = UUID.randomUUID().toString();
    JsonObject seen = order(a, key, culture5k, 3);
    JsonObject unseen = order(a, UUID.randomUUID().toString(), culture5k, 1);
    h.clock.advance(CertificatesOptions.defaults().bankTransferWindow().minusSeconds(1));
    a.signIn();
    assertEquals("AWAITING_DEPOSIT", check(a.get("/api/v1/certificates/purchases/" + seen.getLong("id")), 200)
        .bodyAsJsonObject().getString("status"));
    h.clock.advance(Duration.ofSeconds(1));
    a.signIn(); // a day has passed: the session has run out
    JsonObject expired = check(a.get("/api/v1/certificates/purchases/" + seen.getLong("id")), 200).bodyAsJsonObject();
    assertEquals("EXPIRED", expired.getString("status"));
    assertEquals(PurchaseService.EXPIRED_REASON, expired.getString("reason"));
    assertEquals("EXPIRED", check(a.buy(key, culture5k, 3, "BANK_TRANSFER", null), 410).bodyAsJsonObject().getString("status"));

    long smsBefore = h.smsCount(a.phone);
    JsonObject late = simulate(a, seen.getLong("id"), 15_000, 409);
    assertEquals("expired", late.getString("error"));
    assertTrue(late.getString("reason").contains("nothing was issued"), late.encode());
    // the other order was never looked at: the deposit itself finds it past its deadline
    JsonObject late2 = check(postNotice(h.payments.simulateDeposit(unseen.getJsonObject("bankTransfer").getString("reference"),
        5_000).orElseThrow()), 409).bodyAsJsonObject();
    assertEquals("expired", late2.getString("error"));
    assertEquals("EXPIRED", check(a.get("/api/v1/certificates/purchases/" + unseen.getLong("id")), 200)
        .bodyAsJsonObject().getString("status"));
    assertEquals(0, a.mine().size());
    assertEquals(smsBefore, h.smsCount(a.phone), "nothing issued, nothing announced");
    assertTrue(ledgerAccount(CertificateLedger.certificateOwner(seen.getLong("id"), 1)).isEmpty());
    var history = check(a.get("/api/v1/certificates/purchases"), 200).bodyAsJsonArray();
    assertEquals(2, history.size());
    for (Object p : history) assertEquals("EXPIRED", ((JsonObject) p).getString("status"));
  }

  @Test
  void concurrentNoticesIssueExactlyOnce() throws Exception {
    var a = h.new Member("bt-race").ready();
    JsonObject o = order(a, UUID.randomUUID().toString(), books10k, 3);
    var notice = h.payments.simulateDeposit(o.getJsonObject("bankTransfer").getString("reference"), 30_000).orElseThrow();
    List<CompletableFuture<HttpResponse<Buffer>>> all = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      all.add(h.gateway.client.request(HttpMethod.POST, "/certificates/bank-transfers/deposits")
          .putHeader("Content-Type", "application/json").putHeader(BankTransferRoutes.SIGNATURE_HEADER, notice.signature())
          .sendBuffer(Buffer.buffer(notice.payload())).toCompletionStage().toCompletableFuture());
    }
    int issued = 0;
    for (var f : all) {
      JsonObject r = check(f.get(60, TimeUnit.SECONDS), 200).bodyAsJsonObject();
      if (r.getString("result").equals("ISSUED")) issued++;
      else assertEquals("ALREADY_PAID", r.getString("result"));
    }
    assertEquals(1, issued);
    assertEquals(3, a.mine().size());
    long total = 0;
    for (int sheet = 1; sheet <= 3; sheet++) total += ledgerAccount(CertificateLedger.certificateOwner(o.getLong("id"), sheet)).orElseThrow().creditsPosted();
    assertEquals(30_000, total, "the certificates hold exactly what was paid");
    // the notice is answered only after the buyer's message was handed to the SMSC: every one is in by now
    assertEquals(1, h.smsc.received().stream().filter(s -> s.to().equals(a.phone) && s.body().contains("purchase " + o.getLong("id"))).count(),
        "announced once");
  }
}
