package dev.mileage.gateway.certificates;

import dev.mileage.gateway.LogCapture;
import dev.mileage.gateway.TestGateway;
import dev.mileage.gateway.shop.PaymentProvider;
import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.StandardPointTypes;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.mileage.gateway.certificates.CertHarness.check;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bank-transfer deposits that bought nothing, over real HTTP and PostgreSQL: each is recorded once as owed back
 * to its payer (late, wrong amount, a second payment, no such order), a re-sent notice changes nothing and gets the
 * same answer, the buyer (only) sees it on the order, operators list returns and confirm the ones the bank provider
 * refused idempotently, and the ledger never moves for any of it.
 */
class DepositReturnTest {
  static final String PAYER = "Hana Bank 123-456789-01234";
  static final String CLOSED_PAYER = "Hana Bank 123-CLOSED-01234";
  @TempDir
  static Path dir;
  static CertHarness h;
  static long culture5k;
  static long books10k;
  static LogCapture logs;
  static List<String> LOGGED;

  @BeforeAll
  static void start() throws Exception {
    logs = LogCapture.install();
    LOGGED = logs.lines;
    h = new CertHarness(dir);
    culture5k = h.item("Culture Pass", 5_000);
    books10k = h.item("Kyoro Books", 10_000);
  }

  @AfterAll
  static void stop() {
    if (logs != null) logs.close();
    if (h != null) h.close();
  }

  static JsonObject order(CertHarness.Member m, long item, int sheets) throws Exception {
    return check(m.buy(UUID.randomUUID().toString(), item, sheets, "BANK_TRANSFER", null), 202).bodyAsJsonObject();
  }

  static String ref(JsonObject order) {
    return order.getJsonObject("bankTransfer").getString("reference");
  }

  static PaymentProvider.DepositNotice deposit(String reference, long amountWon) {
    return h.payments.simulateDeposit(reference, amountWon, PAYER).orElseThrow();
  }

  static JsonObject purchase(CertHarness.Member m, long id) throws Exception {
    return check(m.get("/api/v1/certificates/purchases/" + id), 200).bodyAsJsonObject();
  }

  static HttpResponse<Buffer> operator(HttpMethod method, String path, JsonObject body) throws Exception {
    return h.gateway.send(method, path, TestGateway.OPERATOR, TestGateway.PASSWORD, body == null ? null : Buffer.buffer(body.encode()));
  }

  static HttpResponse<Buffer> confirm(long id, JsonObject body) throws Exception {
    return operator(HttpMethod.POST, "/api/v1/certificates/admin/deposit-returns/" + id + "/confirm", body);
  }

  /** Every return the operator API lists with {@code status} (null: all), walking the pages of {@code limit}. */
  static List<JsonObject> allReturns(String status, int limit) throws Exception {
    List<JsonObject> all = new ArrayList<>();
    Long after = 0L;
    for (int pages = 0; after != null; pages++) {
      assertTrue(pages < 100, "paging ends");
      JsonObject page = check(operator(HttpMethod.GET, "/api/v1/certificates/admin/deposit-returns?limit=" + limit + "&after=" + after
          + (status == null ? "" : "&status=" + status), null), 200).bodyAsJsonObject();
      JsonArray rows = page.getJsonArray("returns");
      assertTrue(rows.size() <= limit);
      for (Object o : rows) all.add((JsonObject) o);
      after = page.getLong("next");
    }
    return all;
  }

  static List<JsonObject> returnsOfDeposit(String depositId) throws Exception {
    return allReturns(null, 200).stream().filter(r -> r.getString("depositId").equals(depositId)).toList();
  }

  static String depositId(PaymentProvider.DepositNotice n) {
    return new JsonObject(n.payload()).getString("depositId");
  }

  /** The accounts that could move if a deposit issued anything: the issuance account and all of the buyer's. */
  static List<Account> ledgerState(long memberId) throws Exception {
    var ledger = h.gateway.app.context().ledger();
    List<Account> all = new ArrayList<>(ledger.accountsOf("member:" + memberId).toCompletableFuture().get(10, TimeUnit.SECONDS));
    ledger.accountOf(StandardPointTypes.OPERATOR, StandardPointTypes.GIFT_CERTIFICATE).toCompletableFuture()
        .get(10, TimeUnit.SECONDS).ifPresent(all::add);
    return all;
  }

  @Test
  void everyRefusedDepositIsOwedBackOnceAndTheLedgerNeverMoves() throws Exception {
    var a = h.new Member("dr-buyer").ready();
    var other = h.new Member("dr-other").ready();
    JsonObject o1 = order(a, books10k, 2);
    JsonObject o2 = order(a, culture5k, 1);
    long id1 = o1.getLong("id");
    long id2 = o2.getLong("id");
    long transfers = h.ledgerTransfersCommitted();
    List<Account> accounts = ledgerState(a.id);

    // a wrong amount: owed back, the order still open, nothing in the ledger
    var wrong = deposit(ref(o1), 19_999);
    HttpResponse<Buffer> first = check(h.postNotice(wrong), 422);
    JsonObject w = first.bodyAsJsonObject();
    assertEquals("amount_mismatch", w.getString("error"));
    JsonObject owed = w.getJsonObject("depositReturn");
    assertEquals("WRONG_AMOUNT", owed.getString("reason"));
    assertEquals(19_999, owed.getLong("amountWon"));
    assertFalse(first.bodyAsString().contains("123-456789"), "the notice's answer carries no account");
    // the provider re-sends it: the same answer, byte for byte, and still one record
    assertEquals(first.bodyAsString(), check(h.postNotice(wrong), 422).bodyAsString());
    assertEquals(1, returnsOfDeposit(depositId(wrong)).size());
    JsonObject seen = purchase(a, id1);
    assertEquals("AWAITING_DEPOSIT", seen.getString("status"));
    JsonArray onOrder = seen.getJsonArray("depositReturns");
    assertEquals(1, onOrder.size());
    JsonObject mine = onOrder.getJsonObject(0);
    assertEquals(19_999, mine.getLong("amountWon"));
    assertEquals("WRONG_AMOUNT", mine.getString("reason"));
    // sent to the bank provider as soon as it was recorded: where it stands is the buyer's to see
    assertTrue(List.of("OWED", "SENT", "CONFIRMED").contains(mine.getString("status")), mine.encode());
    // the note follows the state, which the dispatcher may already have moved on: OWED/CONFIRMED say "return", SENT "sent back"
    assertTrue(mine.getString("note").contains("return") || mine.getString("note").contains("sent back"), mine.encode());
    assertEquals("…1234", mine.getString("payerAccount"), "the buyer sees only the account's last digits");
    // nobody else sees it
    check(other.get("/api/v1/certificates/purchases/" + id1), 404);
    check(h.gateway.send(HttpMethod.GET, "/api/v1/certificates/purchases/" + id1, null, null, null), 401);
    assertEquals(transfers, h.ledgerTransfersCommitted(), "no transfer for a refused deposit");
    assertEquals(accounts, ledgerState(a.id));

    // the exact amount pays it (the ledger moves for that, once); a second exact deposit is owed back
    assertEquals("ISSUED", check(h.postNotice(deposit(ref(o1), 20_000)), 200).bodyAsJsonObject().getString("result"));
    assertEquals(2, a.mine().size());
    // a day later (the other order is past its deadline); signing in again re-submits the sign-up bonus (EXISTS)
    h.clock.advance(CertificatesOptions.defaults().bankTransferWindow().plusSeconds(1));
    a.signIn();
    other.signIn();
    transfers = h.ledgerTransfersCommitted();
    accounts = ledgerState(a.id);
    var twice = deposit(ref(o1), 20_000);
    JsonObject again = check(h.postNotice(twice), 200).bodyAsJsonObject();
    assertEquals("ALREADY_PAID", again.getString("result"));
    assertEquals("ALREADY_PAID", again.getJsonObject("depositReturn").getString("reason"));
    assertTrue(again.getString("reason").contains("another deposit"), again.encode());
    // the wrong-amount notice once more, now that the order is paid: still the first answer
    assertEquals(first.bodyAsString(), check(h.postNotice(wrong), 422).bodyAsString());
    // (both go back through the bank provider: compare the views once neither can move on)
    CertHarness.await("both returns confirmed", () -> purchase(a, id1).getJsonArray("depositReturns").stream()
        .allMatch(r -> ((JsonObject) r).getString("status").equals("CONFIRMED")));
    JsonArray both = purchase(a, id1).getJsonArray("depositReturns");
    assertEquals(List.of("WRONG_AMOUNT", "ALREADY_PAID"), both.stream().map(r -> ((JsonObject) r).getString("reason")).toList());
    // and in the purchase history, on that order only; the other member's history has none of it
    for (Object p : check(a.get("/api/v1/certificates/purchases"), 200).bodyAsJsonArray()) {
      JsonObject row = (JsonObject) p;
      assertEquals(row.getLong("id") == id1 ? both : null, row.getJsonArray("depositReturns"), row.encode());
    }
    assertFalse(check(other.get("/api/v1/certificates/purchases"), 200).bodyAsString().contains("depositReturns"));

    // late: the order expired; the deposit is owed back and the order stays expired
    JsonObject late = check(h.postNotice(deposit(ref(o2), 5_000)), 409).bodyAsJsonObject();
    assertEquals("expired", late.getString("error"));
    assertEquals("LATE", late.getJsonObject("depositReturn").getString("reason"));
    JsonObject expired = purchase(a, id2);
    assertEquals("EXPIRED", expired.getString("status"));
    assertEquals("LATE", expired.getJsonArray("depositReturns").getJsonObject(0).getString("reason"));
    // no order at all: recorded too, with nobody's order to show it on
    var stray = deposit("sbx_bt_nobody", 7_000);
    JsonObject unknown = check(h.postNotice(stray), 404).bodyAsJsonObject();
    assertEquals("unknown_reference", unknown.getString("error"));
    assertEquals("UNKNOWN_ORDER", unknown.getJsonObject("depositReturn").getString("reason"));
    JsonObject strayRow = returnsOfDeposit(depositId(stray)).get(0);
    assertNull(strayRow.getValue("purchaseId"));
    assertEquals(PAYER, strayRow.getString("payerAccount"), "operators see the whole account to send the money back");

    assertEquals(transfers, h.ledgerTransfersCommitted(), "nothing moved in the ledger for any refused deposit");
    assertEquals(accounts, ledgerState(a.id));
    assertTrue(ledgerAccountAbsent(id2), "no certificate account for the late order");
    assertEquals(2, a.mine().size());
    // what operators read: a metric by reason, and log lines without the payer's account or the buyer's phone
    String metrics = check(h.gateway.send(HttpMethod.GET, "/metrics", null, null, null), 200).bodyAsString();
    for (String reason : List.of("WRONG_AMOUNT", "ALREADY_PAID", "LATE", "UNKNOWN_ORDER")) {
      assertTrue(metrics.contains("certificates_deposit_returns_owed_total{reason=\"" + reason + "\""), reason + " counted");
    }
    assertTrue(LOGGED.stream().anyMatch(l -> l.startsWith("deposit return ") && l.contains("owed: WRONG_AMOUNT, 19999 won")), LOGGED.toString());
    for (String line : LOGGED) {
      assertFalse(line.contains("123-456789") || line.contains(a.phone), "personal data in a log line: " + line);
    }
  }

  static boolean ledgerAccountAbsent(long purchaseId) throws Exception {
    return h.gateway.app.context().ledger().accountOf(CertificateLedger.certificateOwner(purchaseId, 1), StandardPointTypes.GIFT_CERTIFICATE)
        .toCompletableFuture().get(10, TimeUnit.SECONDS).isEmpty();
  }

  @Test
  void operatorsListByStatusWithPagingAndConfirmOnce() throws Exception {
    var a = h.new Member("dr-ops-buyer").ready();
    var notOperator = h.new Member("dr-ops-member").ready();
    JsonObject o = order(a, culture5k, 1);
    List<Long> ids = new ArrayList<>();
    // the payer's account is closed: the bank provider refuses each return, which leaves it to the operator
    for (long amount : new long[] {4_000, 4_500, 6_000}) {
      var n = h.payments.simulateDeposit(ref(o), amount, CLOSED_PAYER).orElseThrow();
      ids.add(check(h.postNotice(n), 422).bodyAsJsonObject().getJsonObject("depositReturn").getLong("id"));
    }
    for (long id : ids) CertHarness.await("return " + id + " refused", () -> h.depositReturn(id).getString("status").equals("FAILED"));
    // pages of 2 walk every failed return once, in id order
    List<JsonObject> owed = allReturns("FAILED", 2);
    List<Long> owedIds = owed.stream().map(r -> r.getLong("id")).toList();
    assertEquals(new HashSet<>(owedIds).size(), owedIds.size(), "no row on two pages");
    assertEquals(owedIds.stream().sorted().toList(), owedIds);
    assertTrue(owedIds.containsAll(ids));
    // only operators
    assertEquals(403, notOperator.get("/api/v1/certificates/admin/deposit-returns").statusCode());
    assertEquals(401, h.gateway.send(HttpMethod.GET, "/api/v1/certificates/admin/deposit-returns", null, null, null).statusCode());
    assertEquals(403, notOperator.post("/api/v1/certificates/admin/deposit-returns/" + ids.get(0) + "/confirm",
        new JsonObject().put("returnReference", "RT-1")).statusCode());
    assertEquals(400, operator(HttpMethod.GET, "/api/v1/certificates/admin/deposit-returns?status=LOST", null).statusCode());
    assertEquals(400, operator(HttpMethod.GET, "/api/v1/certificates/admin/deposit-returns?limit=0", null).statusCode());

    // bad input changes nothing
    assertEquals("not_found", check(confirm(999_999, new JsonObject().put("returnReference", "RT-X")), 404).bodyAsJsonObject().getString("error"));
    check(confirm(ids.get(0), new JsonObject().put("returnReference", "has spaces")), 400);
    check(confirm(ids.get(0), new JsonObject()), 400);
    check(confirm(ids.get(0), new JsonObject().put("returnReference", "RT-1").put("returnedAt", "yesterday")), 400);
    check(confirm(ids.get(0), new JsonObject().put("returnReference", "RT-1")
        .put("returnedAt", h.clock.instant().plus(Duration.ofHours(1)).toString())), 400);
    check(confirm(ids.get(0), new JsonObject().put("returnReference", "RT-1")
        .put("returnedAt", h.clock.instant().minus(Duration.ofDays(3)).toString())), 400);
    assertEquals("FAILED", purchase(a, o.getLong("id")).getJsonArray("depositReturns").getJsonObject(0).getString("status"));

    // confirmed once; the same reference again is a no-op, another one is refused
    String reference = "RT-" + UUID.randomUUID();
    var at = h.clock.instant();
    JsonObject done = check(confirm(ids.get(0), new JsonObject().put("returnReference", reference)), 200).bodyAsJsonObject();
    assertEquals("RETURNED", done.getString("result"));
    assertEquals("CONFIRMED", done.getString("status"));
    assertEquals(at.toString(), done.getString("returnedAt"));
    assertEquals(TestGateway.OPERATOR, done.getString("confirmedBy"));
    h.clock.advance(Duration.ofMinutes(10));
    JsonObject repeat = check(confirm(ids.get(0), new JsonObject().put("returnReference", reference)), 200).bodyAsJsonObject();
    assertEquals("ALREADY_RETURNED", repeat.getString("result"));
    assertEquals(at.toString(), repeat.getString("returnedAt"), "a repeat changes nothing");
    JsonObject conflict = check(confirm(ids.get(0), new JsonObject().put("returnReference", "RT-other")), 409).bodyAsJsonObject();
    assertEquals("already_returned", conflict.getString("error"));
    assertTrue(conflict.getString("reason").contains(reference));
    // one outgoing transfer cannot settle two returns
    assertEquals("return_reference_used", check(confirm(ids.get(1), new JsonObject().put("returnReference", reference)), 409)
        .bodyAsJsonObject().getString("error"));
    // with the provider's own time of the return
    var providerTime = h.clock.instant().minus(Duration.ofMinutes(3));
    assertEquals(providerTime.toString(), check(confirm(ids.get(1), new JsonObject().put("returnReference", reference + "-b")
        .put("returnedAt", providerTime.toString())), 200).bodyAsJsonObject().getString("returnedAt"));

    // the lists by status and the buyer's order follow
    Set<Long> returned = new HashSet<>(allReturns("CONFIRMED", 200).stream().map(r -> r.getLong("id")).toList());
    assertTrue(returned.containsAll(ids.subList(0, 2)));
    assertFalse(returned.contains(ids.get(2)));
    assertFalse(allReturns("FAILED", 50).stream().anyMatch(r -> ids.subList(0, 2).contains(r.getLong("id"))));
    JsonArray onOrder = purchase(a, o.getLong("id")).getJsonArray("depositReturns");
    assertEquals(3, onOrder.size());
    JsonObject back = onOrder.getJsonObject(0);
    assertEquals("CONFIRMED", back.getString("status"));
    assertEquals(reference, back.getString("returnReference"));
    assertEquals(at.toString(), back.getString("returnedAt"));
    assertTrue(back.getString("note").contains("returned"), back.encode());
    assertEquals("FAILED", onOrder.getJsonObject(2).getString("status"));
  }

  @Test
  void concurrentCopiesOfNoticesAreDecidedOnce() throws Exception {
    var a = h.new Member("dr-race").ready();
    JsonObject o = order(a, books10k, 3);
    var wrong = deposit(ref(o), 29_000);
    var payA = deposit(ref(o), 30_000);
    var payB = deposit(ref(o), 30_000);
    List<PaymentProvider.DepositNotice> notices = new ArrayList<>();
    for (int i = 0; i < 8; i++) notices.addAll(List.of(wrong, payA, payB));
    List<CompletableFuture<HttpResponse<Buffer>>> all = new ArrayList<>();
    for (var n : notices) {
      all.add(h.gateway.client.request(HttpMethod.POST, "/certificates/bank-transfers/deposits")
          .putHeader("Content-Type", "application/json").putHeader(BankTransferRoutes.SIGNATURE_HEADER, n.signature())
          .sendBuffer(Buffer.buffer(n.payload())).toCompletionStage().toCompletableFuture());
    }
    int issued = 0;
    Set<String> wrongAnswers = new HashSet<>();
    for (int i = 0; i < all.size(); i++) {
      HttpResponse<Buffer> r = all.get(i).get(60, TimeUnit.SECONDS);
      JsonObject b = r.bodyAsJsonObject();
      if (notices.get(i) == wrong) {
        // decided once: WRONG_AMOUNT (422) if it came before the payment, ALREADY_PAID (200) after; every copy alike
        wrongAnswers.add(r.statusCode() + " " + b.encode());
        assertTrue(b.containsKey("depositReturn"), b.encode());
      } else {
        assertEquals(200, r.statusCode(), b.encode());
        if (b.getString("result").equals("ISSUED")) issued++;
        else assertEquals("ALREADY_PAID", b.getString("result"));
      }
    }
    assertEquals(1, issued, "one deposit paid the order, once");
    assertEquals(1, wrongAnswers.size(), "every copy of the wrong deposit got the same answer: " + wrongAnswers);
    assertEquals(1, returnsOfDeposit(depositId(wrong)).size());
    // exactly one of the two exact deposits is owed back, once
    int owedPays = returnsOfDeposit(depositId(payA)).size() + returnsOfDeposit(depositId(payB)).size();
    assertEquals(1, owedPays);
    assertEquals(2, purchase(a, o.getLong("id")).getJsonArray("depositReturns").size());
    assertEquals(3, a.mine().size());
    long total = 0;
    for (int sheet = 1; sheet <= 3; sheet++) {
      total += h.gateway.app.context().ledger().accountOf(CertificateLedger.certificateOwner(o.getLong("id"), sheet),
          StandardPointTypes.GIFT_CERTIFICATE).toCompletableFuture().get(10, TimeUnit.SECONDS).orElseThrow().creditsPosted();
    }
    assertEquals(30_000, total, "the certificates hold exactly one payment");
  }

  @Test
  void forgedOrReusedNoticesRecordNothing() throws Exception {
    var a = h.new Member("dr-forge").ready();
    JsonObject o = order(a, culture5k, 1);
    int before = allReturns(null, 200).size();
    long transfers = h.ledgerTransfersCommitted();
    String payload = new JsonObject().put("depositId", "forged-" + UUID.randomUUID()).put("reference", ref(o))
        .put("amountWon", 4_000).put("payerAccount", "Thief Bank 999").encode();
    check(h.postNotice(new PaymentProvider.DepositNotice(payload, "00".repeat(32))), 401);
    var real = deposit(ref(o), 4_000);
    check(h.postNotice(new PaymentProvider.DepositNotice(payload, real.signature())), 401);
    // a genuine signature over a tampered payer account is no signature
    String tampered = real.payload().replace(PAYER, "Thief Bank 999");
    check(h.postNotice(new PaymentProvider.DepositNotice(tampered, real.signature())), 401);
    assertEquals(before, allReturns(null, 200).size(), "nothing recorded for a forged notice");
    assertEquals(0, purchase(a, o.getLong("id")).getJsonArray("depositReturns").size());

    // the provider reporting one deposit id with another amount is refused and changes nothing
    check(h.postNotice(real), 422);
    String id = depositId(real);
    var sameIdOtherAmount = h.payments.simulateDeposit(ref(o), 4_500, PAYER).orElseThrow();
    String forgedId = sameIdOtherAmount.payload().replace(depositId(sameIdOtherAmount), id);
    assertEquals(1, returnsOfDeposit(id).size());
    // (re-signed by the sandbox, as only the provider can)
    var resigned = resign(forgedId);
    assertEquals("deposit_id_reused", check(h.postNotice(resigned), 409).bodyAsJsonObject().getString("error"));
    assertEquals(4_000, returnsOfDeposit(id).get(0).getLong("amountWon"));
    assertEquals(before + 1, allReturns(null, 200).size());
    assertEquals("AWAITING_DEPOSIT", purchase(a, o.getLong("id")).getString("status"));
    assertEquals(transfers, h.ledgerTransfersCommitted());
  }

  /** A notice with this payload as the sandbox provider would sign it. */
  static PaymentProvider.DepositNotice resign(String payload) {
    return h.payments.signedNotice(payload);
  }
}
