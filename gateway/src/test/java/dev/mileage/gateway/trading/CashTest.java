package dev.mileage.gateway.trading;

import dev.mileage.gateway.MutableClock;
import dev.mileage.gateway.shop.SandboxPaymentProvider;
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
import java.time.Instant;

import static dev.mileage.gateway.trading.TradingHarness.CYBER;
import static dev.mileage.gateway.trading.TradingHarness.check;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Buying points with money and cashing them out through the sandbox payment provider: the quote shown is
 * the amount charged or paid, a moved rate is refused with the new quote, request keys make retries
 * harmless, declines and an unreachable provider move neither money nor points, daily limits hold and
 * reset with the (injected) day, and the history names every movement.
 */
class CashTest {
  static final long CYBER_MICROS = 2_000_000; // 2 won a point
  static final CashOptions OPTIONS = new CashOptions(0, 300, 10_000, 5_000, 3600);
  @TempDir
  static Path dataDir;
  static TradingHarness h;
  static final SandboxPaymentProvider PAYMENTS = new SandboxPaymentProvider();
  static final MutableClock CLOCK = new MutableClock(Instant.parse("2026-03-02T10:00:00Z"));

  @BeforeAll
  static void start() throws Exception {
    h = new TradingHarness(dataDir, new TradingSettings(PAYMENTS, OPTIONS, null, Duration.ofHours(1), Duration.ofHours(1)), CLOCK);
    check(h.operator(HttpMethod.PUT, "/api/v1/trading/admin/rates/" + CYBER, new JsonObject().put("cashMicrosPerUnit", CYBER_MICROS)), 200);
  }

  @AfterAll
  static void stop() {
    if (h != null) h.close();
  }

  static HttpResponse<Buffer> buy(TradingHarness.Member m, long points, long expectedWon, String key, String token) throws Exception {
    return m.post("/api/v1/trading/purchases", new JsonObject().put("pointType", CYBER).put("points", points)
        .put("expectedWon", expectedWon).put("requestKey", key).put("paymentToken", token));
  }

  static HttpResponse<Buffer> cashOut(TradingHarness.Member m, int type, long points, long expectedWon, String key, String token)
      throws Exception {
    return m.post("/api/v1/trading/cash-outs", new JsonObject().put("pointType", type).put("points", points)
        .put("expectedWon", expectedWon).put("requestKey", key).put("payoutToken", token));
  }

  @Test
  void buyingChargesTheQuotedPriceOnceAndDeclinesMoveNothing() throws Exception {
    TradingHarness.Member m = h.member("bea");
    JsonObject quote = check(m.get("/api/v1/trading/quote?kind=BUY&pointType=" + CYBER + "&points=1000"), 200).bodyAsJsonObject();
    assertEquals(2_000, quote.getLong("netWon"));
    assertEquals(10_000, quote.getLong("dailyLimitWon"));
    long charged = PAYMENTS.netChargedWon();

    JsonObject moved = check(buy(m, 1000, 1_999, "b1", SandboxPaymentProvider.TOKEN_OK), 409).bodyAsJsonObject();
    assertEquals("rate_changed", moved.getString("error"));
    assertEquals(2_000, moved.getJsonObject("quote").getLong("netWon"));
    assertEquals(charged, PAYMENTS.netChargedWon(), "nothing charged at a price the member did not confirm");

    assertEquals("DONE", check(buy(m, 1000, 2_000, "b1", SandboxPaymentProvider.TOKEN_OK), 201).bodyAsJsonObject().getString("state"));
    assertEquals(1_000, m.balance(CYBER));
    assertEquals(charged + 2_000, PAYMENTS.netChargedWon());
    check(buy(m, 1000, 2_000, "b1", SandboxPaymentProvider.TOKEN_OK), 201);
    assertEquals(1_000, m.balance(CYBER), "a repeated request never buys twice");
    assertEquals(charged + 2_000, PAYMENTS.netChargedWon());
    check(buy(m, 5, 10, "b1", SandboxPaymentProvider.TOKEN_OK), 409);

    check(buy(m, 100, 200, "b2", SandboxPaymentProvider.TOKEN_DECLINE), 402);
    check(buy(m, 100, 200, "b2", SandboxPaymentProvider.TOKEN_OK), 402); // the key's outcome stands
    check(buy(m, 100, 200, "b3", SandboxPaymentProvider.TOKEN_FAIL), 502);
    check(buy(m, 100, 200, "b4", "sandbox-unknown-card"), 402);
    assertEquals(1_000, m.balance(CYBER));
    assertEquals(charged + 2_000, PAYMENTS.netChargedWon());

    // the daily limit: 2,000 used; 8,000 more fits exactly, then nothing until the next (UTC) day
    check(buy(m, 4_000, 8_000, "b5", SandboxPaymentProvider.TOKEN_OK), 201);
    assertEquals("daily_limit", check(buy(m, 1, 2, "b6", SandboxPaymentProvider.TOKEN_OK), 409).bodyAsJsonObject().getString("error"));
    assertEquals(5_000, m.balance(CYBER));
    CLOCK.advance(Duration.ofDays(1));
    m.signIn();
    check(buy(m, 1, 2, "b7", SandboxPaymentProvider.TOKEN_OK), 201);
    assertEquals(5_001, m.balance(CYBER));
    check(buy(m, 1, 2, "b8", "x".repeat(101)), 400);
  }

  @Test
  void cashingOutPaysRateMinusFeeAndReleasesPointsWhenNotPaid() throws Exception {
    TradingHarness.Member m = h.member("carl");
    h.fund(m, CYBER, 10_000);
    JsonObject quote = check(m.get("/api/v1/trading/quote?kind=CASH_OUT&pointType=" + CYBER + "&points=1000"), 200).bodyAsJsonObject();
    assertEquals(2_000, quote.getLong("grossWon"));
    assertEquals(60, quote.getLong("feeWon"));
    assertEquals(1_940, quote.getLong("netWon"));
    long paid = PAYMENTS.paidOutWon();

    check(cashOut(m, CYBER, 1000, 1_940, "c1", SandboxPaymentProvider.TOKEN_OK), 201);
    assertEquals(9_000, m.balance(CYBER));
    assertEquals(paid + 1_940, PAYMENTS.paidOutWon());
    check(cashOut(m, CYBER, 1000, 1_940, "c1", SandboxPaymentProvider.TOKEN_OK), 201);
    assertEquals(9_000, m.balance(CYBER), "a repeated cash-out never pays twice");
    assertEquals(paid + 1_940, PAYMENTS.paidOutWon());

    check(cashOut(m, CYBER, 500, 970, "c2", SandboxPaymentProvider.TOKEN_DECLINE), 402);
    check(cashOut(m, CYBER, 500, 970, "c3", SandboxPaymentProvider.TOKEN_FAIL), 502);
    check(cashOut(m, CYBER, 100_000, 194_000, "c4", SandboxPaymentProvider.TOKEN_OK), 409);
    assertEquals(9_000, m.balance(CYBER), "points held for unpaid cash-outs are released");
    JsonObject holding = check(m.get("/api/v1/trading/portfolio"), 200).bodyAsJsonObject().getJsonArray("holdings").stream()
        .map(JsonObject.class::cast).filter(x -> x.getInteger("pointType") == CYBER).findFirst().orElseThrow();
    assertEquals(9_000, holding.getLong("balance"));
    assertEquals(0, holding.getLong("heldForOrders"), "and nothing is left held");
    assertEquals(paid + 1_940, PAYMENTS.paidOutWon());

    // limit 5,000 won gross a day: 2,000 used, the declined and failed ones gave theirs back
    assertEquals("daily_limit", check(cashOut(m, CYBER, 1_600, 3_104, "c5", SandboxPaymentProvider.TOKEN_OK), 409)
        .bodyAsJsonObject().getString("error"));
    check(cashOut(m, CYBER, 1_500, 2_910, "c6", SandboxPaymentProvider.TOKEN_OK), 201);
    assertEquals(7_500, m.balance(CYBER));

    JsonObject history = check(m.get("/api/v1/trading/history"), 200).bodyAsJsonObject();
    JsonArray cash = history.getJsonArray("cash");
    assertTrue(cash.stream().map(JsonObject.class::cast).anyMatch(c -> c.getString("state").equals("DECLINED")));
    assertTrue(cash.stream().map(JsonObject.class::cast).filter(c -> c.getString("state").equals("DONE")).count() >= 2);
    JsonArray movements = history.getJsonArray("movements");
    assertTrue(movements.stream().map(JsonObject.class::cast).anyMatch(x -> x.getString("reason").equals("cashed out")), movements.encode());
    assertTrue(movements.stream().map(JsonObject.class::cast).anyMatch(x -> x.getString("reason").equals("cash-out not paid, points released")));
  }

  @Test
  void cashingOutPartnerPointsReturnsThemToTheShopAndTellsIt() throws Exception {
    TradingHarness.Partner shop = h.partner("Tea House", "PARTNER_TEA", 1_000_000, null);
    TradingHarness.Member m = h.member("dora");
    check(shop.issue("t-1", m.phone, 1_000), 201);
    check(cashOut(m, shop.pointType, 400, 388, "p1", SandboxPaymentProvider.TOKEN_OK), 201);
    assertEquals(600, m.balance(shop.pointType));
    assertTrue(shop.events().stream().map(JsonObject.class::cast).anyMatch(e -> e.getString("type").equals("points.cashed_out")
        && e.getJsonObject("event").getJsonObject("data").getLong("points") == 400));
  }

  long pendingRow(TradingHarness.Member m, String kind, String key, long points, long won) throws Exception {
    return TradingHarness.await(h.gateway.app.context().pool().preparedQuery("INSERT INTO trading.cash_movement (member_id, kind,"
            + " request_key, point_type, points, gross_won, fee_won, net_won, state, created_at)"
            + " VALUES ($1, $2, $3, $4, $5, $6, 0, $6, 'PENDING', $7) RETURNING id")
        .execute(io.vertx.sqlclient.Tuple.from(new Object[] {m.id, kind, key, CYBER, points, won,
            CLOCK.instant().atOffset(java.time.ZoneOffset.UTC)}))).iterator().next().getLong(0);
  }

  String state(long id) throws Exception {
    return TradingHarness.await(h.gateway.app.context().pool().preparedQuery("SELECT state FROM trading.cash_movement WHERE id = $1")
        .execute(io.vertx.sqlclient.Tuple.of(id))).iterator().next().getString(0);
  }

  @Test
  void requestsCutShortByACrashAreFinishedFromTheProvidersRecord() throws Exception {
    TradingHarness.Member m = h.member("eli");
    h.fund(m, CYBER, 1_000);
    // a purchase the provider charged, then the gateway died before the points were issued
    long charged = pendingRow(m, "BUY", "crash-1", 300, 600);
    assertEquals(SandboxPaymentProvider.Outcome.APPROVED, TradingHarness.await(PAYMENTS.charge("trading:buy:" + charged, 600,
        SandboxPaymentProvider.TOKEN_OK)).outcome());
    // a purchase and a cash-out the provider never saw
    long neverCharged = pendingRow(m, "BUY", "crash-2", 100, 200);
    long neverPaid = pendingRow(m, "CASH_OUT", "crash-3", 100, 200);

    assertEquals(0, TradingHarness.await(h.trading.finishStaleCash()), "young requests may still be under way");
    CLOCK.advance(CashRecovery.AGE.plusMinutes(1));
    assertEquals(3, TradingHarness.await(h.trading.finishStaleCash()));
    assertEquals("DONE", state(charged));
    assertEquals("FAILED", state(neverCharged));
    assertEquals("FAILED", state(neverPaid));
    m.signIn();
    assertEquals(1_300, m.balance(CYBER), "the charged purchase got its points, nothing else moved");
    assertEquals(0, TradingHarness.await(h.trading.finishStaleCash()));
  }
}
