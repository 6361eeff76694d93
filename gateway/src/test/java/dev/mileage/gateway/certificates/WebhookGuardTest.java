package dev.mileage.gateway.certificates;

import dev.mileage.gateway.LogCapture;
import dev.mileage.gateway.shop.PaymentProvider;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static dev.mileage.gateway.certificates.CertHarness.check;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Signature guessing at the provider webhooks is bounded per source address: real HTTP from several loopback
 * addresses (127.0.0.x), PostgreSQL, the simulated bank, the injected clock. A source past the limit gets 429 with
 * Retry-After even for a well-signed notice, and nothing changes; other sources are unaffected; well-signed notices
 * never count; the window's end lifts it.
 */
class WebhookGuardTest {
  static final int LIMIT = 3;
  static final Duration WINDOW = Duration.ofMinutes(10);
  static final String PAYER = "Woori Bank 1002-345-678901";
  @TempDir
  static Path dir;
  static CertHarness h;
  static long culture5k;
  static LogCapture logs;

  @BeforeAll
  static void start() throws Exception {
    logs = LogCapture.install();
    h = new CertHarness(dir, o -> o.withWebhookLimit(LIMIT, WINDOW));
    culture5k = h.item("Culture Pass", 5_000);
  }

  @AfterAll
  static void stop() {
    if (logs != null) logs.close();
    if (h != null) h.close();
  }

  /** A client whose connections come from {@code address} (any of 127.0.0.0/8). */
  static WebClient from(String address) {
    return WebClient.create(h.gateway.clientVertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(h.port())
        .setLocalAddress(address).setKeepAlive(false));
  }

  static HttpResponse<Buffer> post(WebClient c, String path, String payload, String signature) throws Exception {
    var req = c.request(HttpMethod.POST, path).putHeader("Content-Type", "application/json");
    if (signature != null) req.putHeader(BankTransferRoutes.SIGNATURE_HEADER, signature);
    return req.sendBuffer(Buffer.buffer(payload)).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  static HttpResponse<Buffer> deposit(WebClient c, PaymentProvider.DepositNotice n) throws Exception {
    return post(c, "/certificates/bank-transfers/deposits", n.payload(), n.signature());
  }

  static HttpResponse<Buffer> settlement(WebClient c, String payload, String signature) throws Exception {
    return post(c, CertificatesFeature.RETURN_NOTICE_PATH, payload, signature);
  }

  static JsonObject order(CertHarness.Member m) throws Exception {
    return check(m.buy(UUID.randomUUID().toString(), culture5k, 1, "BANK_TRANSFER", null), 202).bodyAsJsonObject();
  }

  static PaymentProvider.DepositNotice exact(JsonObject order) {
    return h.payments.simulateDeposit(order.getJsonObject("bankTransfer").getString("reference"), 5_000, PAYER).orElseThrow();
  }

  static String status(CertHarness.Member m, JsonObject order) throws Exception {
    return check(m.get("/api/v1/certificates/purchases/" + order.getLong("id")), 200).bodyAsJsonObject().getString("status");
  }

  static void assertLimited(HttpResponse<Buffer> r) {
    check(r, 429);
    long wait = Long.parseLong(r.getHeader("Retry-After"));
    assertTrue(wait >= 1 && wait <= WINDOW.toSeconds(), "Retry-After " + wait);
    JsonObject b = r.bodyAsJsonObject();
    assertEquals("too_many_bad_signatures", b.getString("error"));
    assertEquals(wait, b.getLong("retryAfterSeconds"));
    assertTrue(b.getString("reason").contains("bad signature"), b.encode());
  }

  /** A SENT deposit return whose settlement notice the bank holds; answers its operator row. */
  static JsonObject sentReturn(CertHarness.Member buyer) throws Exception {
    JsonObject o = order(buyer);
    var wrong = h.payments.simulateDeposit(o.getJsonObject("bankTransfer").getString("reference"), 4_000, PAYER).orElseThrow();
    long id = check(h.postNotice(wrong), 422).bodyAsJsonObject().getJsonObject("depositReturn").getLong("id");
    CertHarness.await("return " + id + " SENT", () -> h.depositReturn(id).getString("status").equals("SENT"));
    return h.depositReturn(id);
  }

  static String settled(JsonObject row) {
    return new JsonObject().put("type", BankProvider.TYPE_SETTLED).put("instructionId", row.getString("instructionId"))
        .put("returnId", row.getLong("id")).put("amountWon", row.getLong("amountWon")).put("outcome", "COMPLETED")
        .put("reference", row.getString("returnReference")).encode();
  }

  @Test
  void aGuessingSourceIsRefusedAtBothRoutesUntilTheWindowEndsAndNothingChanges() throws Exception {
    var buyer = h.new Member("wg-buyer").ready();
    JsonObject first = order(buyer);
    JsonObject second = order(buyer);
    SandboxBank bank = h.bank.sim;
    bank.holdNotices(true);
    WebClient guesser = from("127.0.0.2");
    WebClient provider = from("127.0.0.3");
    var good = exact(first);
    String settledSignature;
    try {
      JsonObject sent = sentReturn(buyer);
      long returnId = sent.getLong("id");
      settledSignature = bank.sign(settled(sent));
      // LIMIT bad signatures, of every kind: none, a guess, a genuine signature over a changed body
      check(post(guesser, "/certificates/bank-transfers/deposits", good.payload(), null), 401);
      check(deposit(guesser, new PaymentProvider.DepositNotice(good.payload(), "00".repeat(32))), 401);
      check(settlement(guesser, settled(sent).replace("4000", "40000"), bank.sign(settled(sent))), 401);
      // over the limit: even the provider's own notices are refused, unread, at both routes
      assertLimited(deposit(guesser, good));
      assertLimited(settlement(guesser, settled(sent), bank.sign(settled(sent))));
      assertLimited(post(guesser, "/certificates/bank-transfers/deposits", "{}", null));
      assertEquals("AWAITING_DEPOSIT", status(buyer, first), "the deposit was not credited");
      assertEquals(0, buyer.mine().size());
      assertEquals("SENT", h.depositReturn(returnId).getString("status"), "the return was not confirmed");

      // another source is unaffected: its bad signature is a plain 401, its good notices work
      check(deposit(provider, new PaymentProvider.DepositNotice(good.payload(), "11".repeat(32))), 401);
      assertEquals("ISSUED", check(deposit(provider, good), 200).bodyAsJsonObject().getString("result"));
      assertEquals("CONFIRMED", check(settlement(provider, settled(sent), bank.sign(settled(sent))), 200)
          .bodyAsJsonObject().getString("result"));
      assertEquals("CONFIRMED", h.depositReturn(returnId).getString("status"));

      // the window ends (on the injected clock): the source is heard again, and its good notice pays
      h.clock.advance(WINDOW.minusSeconds(1));
      assertLimited(deposit(guesser, exact(second)));
      assertEquals("AWAITING_DEPOSIT", status(buyer, second));
      h.clock.advance(Duration.ofSeconds(1));
      assertEquals("ISSUED", check(deposit(guesser, exact(second)), 200).bodyAsJsonObject().getString("result"));
      assertEquals("ISSUED", status(buyer, second));
      assertEquals(2, buyer.mine().size());
    } finally {
      guesser.close();
      provider.close();
      bank.holdNotices(false);
    }
    assertTrue(logs.lines.stream().anyMatch(l -> l.contains("bank webhooks refuse 127.0.0.2")), logs.lines.toString());
    for (String line : logs.lines) {
      assertFalse(line.contains("00".repeat(32)) || line.contains(good.signature()) || line.contains(settledSignature)
          || line.contains(good.payload()) || line.contains("1002-345"), "a signature, body or account in the log: " + line);
    }
  }

  @Test
  void wellSignedNoticesNeverCountAndTheLimitIsExact() throws Exception {
    var buyer = h.new Member("wg-count").ready();
    JsonObject o = order(buyer);
    var good = exact(o);
    WebClient source = from("127.0.0.4");
    String guess = "22".repeat(32);
    try {
      for (int i = 0; i < LIMIT - 1; i++) check(deposit(source, new PaymentProvider.DepositNotice(good.payload(), guess)), 401);
      // below the limit a good notice works, and it and its repeats (the provider re-posting) count for nothing
      assertEquals("ISSUED", check(deposit(source, good), 200).bodyAsJsonObject().getString("result"));
      for (int i = 0; i < LIMIT + 2; i++) {
        assertEquals("ALREADY_PAID", check(deposit(source, good), 200).bodyAsJsonObject().getString("result"));
      }
      // the LIMIT-th bad signature is still answered 401 (and reaches the limit); the next request is refused
      check(deposit(source, new PaymentProvider.DepositNotice(good.payload(), guess)), 401);
      assertLimited(deposit(source, good));
    } finally {
      source.close();
    }
    for (String line : logs.lines) {
      assertFalse(line.contains(guess) || line.contains(good.signature()) || line.contains(good.payload())
          || line.contains("1002-345"), "a signature, body or account in the log: " + line);
    }
  }
}
