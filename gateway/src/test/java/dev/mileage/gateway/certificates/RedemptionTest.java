package dev.mileage.gateway.certificates;

import dev.mileage.gateway.shop.SandboxPaymentProvider;
import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.StandardPointTypes;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.mileage.gateway.certificates.CertHarness.check;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Redemption at stores' POS: partial use, exactly-once under concurrency, store settlement, guessing stopped. */
class RedemptionTest {
  @TempDir
  static Path dir;
  static CertHarness h;
  static CertHarness.Member member;
  static long general10k;

  @BeforeAll
  static void start() throws Exception {
    h = new CertHarness(dir);
    general10k = h.item("Mileage Telecom", 10_000);
    member = h.new Member("redeemer").ready();
  }

  @AfterAll
  static void stop() {
    if (h != null) h.close();
  }

  JsonObject newCertificate() throws Exception {
    return check(member.buy(general10k, 1, "CARD", SandboxPaymentProvider.TOKEN_OK), 201).bodyAsJsonObject()
        .getJsonArray("certificates").getJsonObject(0);
  }

  long storeBalance(long storeId) throws Exception {
    return h.gateway.app.context().ledger().accountOf("store:" + storeId, StandardPointTypes.GIFT_CERTIFICATE)
        .toCompletableFuture().get(10, TimeUnit.SECONDS).map(Account::available).orElse(0L);
  }

  @Test
  void partialRedemptionTwiceLeavesTheRestAndSettlesTheStore() throws Exception {
    JsonObject cert = newCertificate();
    JsonObject store = h.store("Gangnam branch");
    String key = store.getString("apiKey");
    // codes are forgiving: lower case and no dashes work too
    String typed = cert.getString("code").toLowerCase().replace("-", "");
    JsonObject first = check(h.pos(key, typed, cert.getString("pin"), 3_000, "T-1"), 200).bodyAsJsonObject();
    assertTrue(first.getBoolean("approved"));
    assertEquals(7_000, first.getLong("balanceWon"));
    JsonObject second = check(h.pos(key, cert.getString("code"), cert.getString("pin"), 5_000, "T-2"), 200).bodyAsJsonObject();
    assertEquals(2_000, second.getLong("balanceWon"));
    JsonObject tooMuch = check(h.pos(key, cert.getString("code"), cert.getString("pin"), 5_000, "T-3"), 422).bodyAsJsonObject();
    assertEquals("INSUFFICIENT_BALANCE", tooMuch.getString("code"));
    assertEquals(2_000, tooMuch.getLong("balanceWon"));
    // the POS repeats T-1 after a time-out: same answer, nothing spent twice
    JsonObject repeat = check(h.pos(key, cert.getString("code"), cert.getString("pin"), 3_000, "T-1"), 200).bodyAsJsonObject();
    assertTrue(repeat.getBoolean("approved"));
    assertEquals(2_000, repeat.getLong("balanceWon"));
    // the same transaction id for another amount is refused
    check(h.pos(key, cert.getString("code"), cert.getString("pin"), 1_000, "T-1"), 409);
    assertEquals(2_000, member.certificate(cert.getLong("id")).getLong("balanceWon"));
    assertEquals(8_000, storeBalance(store.getLong("id")));
    var usage = check(member.get("/api/v1/certificates/usage"), 200).bodyAsJsonArray();
    assertEquals(2, usage.stream().filter(u -> ((JsonObject) u).getLong("certificateId").equals(cert.getLong("id"))).count());
    assertEquals("Gangnam branch", usage.getJsonObject(0).getString("store"));
    // bad input: 400, nothing spent
    check(h.pos(key, cert.getString("code"), cert.getString("pin"), 0, "T-9"), 400);
    check(h.pos(key, cert.getString("code"), cert.getString("pin"), 100, "bad txn id with spaces"), 400);
    assertEquals(2_000, member.certificate(cert.getLong("id")).getLong("balanceWon"));
  }

  @Test
  void fiftyConcurrentRedemptionsApproveExactlyTheCertificatesValue() throws Exception {
    JsonObject cert = newCertificate();
    JsonObject store = h.store("Concurrent branch");
    String key = store.getString("apiKey");
    int attempts = 50;
    long each = 1_000;
    List<CompletableFuture<HttpResponse<Buffer>>> all = new ArrayList<>();
    for (int i = 0; i < attempts; i++) {
      var req = h.gateway.client.post("/api/v1/certificates/pos/redemptions").putHeader("X-Store-Key", key)
          .putHeader("Content-Type", "application/json");
      all.add(req.sendBuffer(Buffer.buffer(new JsonObject().put("code", cert.getString("code")).put("pin", cert.getString("pin"))
          .put("amountWon", each).put("transactionId", "C-" + i).encode())).toCompletionStage().toCompletableFuture());
    }
    int approved = 0;
    int insufficient = 0;
    for (var f : all) {
      HttpResponse<Buffer> r = f.get(120, TimeUnit.SECONDS);
      if (r.statusCode() == 200) approved++;
      else if (r.statusCode() == 422 && "INSUFFICIENT_BALANCE".equals(r.bodyAsJsonObject().getString("code"))) insufficient++;
      else throw new AssertionError("unexpected answer " + r.statusCode() + " " + r.bodyAsString());
    }
    assertEquals(10, approved, "exactly 10 000 won approved");
    assertEquals(40, insufficient);
    assertEquals(0, member.certificate(cert.getLong("id")).getLong("balanceWon"));
    assertEquals(10_000, storeBalance(store.getLong("id")));
  }

  @Test
  void guessingIsThrottledAndUnknownCodesLookLikeWrongPins() throws Exception {
    JsonObject cert = newCertificate();
    JsonObject store = h.store("Guessed branch");
    String key = store.getString("apiKey");
    String rightPin = cert.getString("pin");
    String wrongPin = rightPin.equals("000000") ? "111111" : "000000";
    String unknownCode = "ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ";
    String denied = null;
    try {
      for (int i = 0; i < CertHarness.PER_CERTIFICATE; i++) {
        HttpResponse<Buffer> wrong = check(h.pos(key, cert.getString("code"), wrongPin, 1_000, "G-" + i), 422);
        HttpResponse<Buffer> unknown = check(h.pos(key, unknownCode, wrongPin, 1_000, "U-" + i), 422);
        assertEquals(wrong.bodyAsString(), unknown.bodyAsString(), "a wrong PIN and an unknown code answer alike");
        if (denied == null) denied = wrong.bodyAsString();
        assertEquals(denied, wrong.bodyAsString());
      }
      assertTrue(denied.contains("INVALID_CODE_OR_PIN"));
      // the code is now blocked, even with its right PIN; the unknown code behaves the same
      HttpResponse<Buffer> blocked = check(h.pos(key, cert.getString("code"), rightPin, 1_000, "G-ok"), 429);
      HttpResponse<Buffer> blockedUnknown = check(h.pos(key, unknownCode, rightPin, 1_000, "U-ok"), 429);
      assertEquals(blocked.bodyAsString(), blockedUnknown.bodyAsString());
      assertTrue(Long.parseLong(blocked.getHeader("Retry-After")) > 0);
      // per store: fresh codes each time still run into the store's limit
      int storeFailures = 2 * CertHarness.PER_CERTIFICATE;
      for (int i = storeFailures; i < CertHarness.PER_STORE; i++) {
        check(h.pos(key, "AAAA-BBBB-CCCC-DDDD-" + String.format("%04d", i), "123456", 1_000, "S-" + i), 422);
      }
      check(h.pos(key, "AAAA-BBBB-CCCC-DDDD-9999", "123456", 1_000, "S-x"), 429);
      // another store is not blocked by this one's failures, and nothing was spent
      JsonObject other = h.store("Innocent branch");
      check(h.pos(other.getString("apiKey"), unknownCode.replace('Z', 'Y'), "123456", 1_000, "I-1"), 422);
      assertEquals(10_000, member.certificate(cert.getLong("id")).getLong("balanceWon"));
      // a wrong store key is refused before anything
      HttpResponse<Buffer> badKey = h.pos("sk_" + store.getLong("id") + "_not-the-secret", cert.getString("code"), rightPin, 1_000, "K-1");
      assertEquals(401, badKey.statusCode());
    } finally {
      h.advancePastGuessWindow();
    }
    // after the window the holder's right PIN works again
    JsonObject ok = check(h.pos(key, cert.getString("code"), rightPin, 1_000, "after"), 200).bodyAsJsonObject();
    assertEquals(9_000, ok.getLong("balanceWon"));
  }
}
