package dev.mileage.gateway.mall;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.mileage.gateway.mall.MallHarness.check;
import static dev.mileage.gateway.mall.MallHarness.key;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The order of a settlement run: payers oldest debt first, except that a payer whose every due reimbursement was
 * already found not covered goes last, so a run's bound of payers is spent on those who can pay. The schedule's own
 * timer is set to an hour, so only the runs this test asks for happen, and their answers list the payers in the
 * order they were settled.
 */
class MallSettlementOrderTest {
  static final Duration DELAY = Duration.ofHours(24);

  @TempDir
  static Path dataDir;
  static MallHarness h;
  static MallHarness.Member owner;
  static MallHarness.Member fan;
  static MallHarness.VendorClient payee;

  @BeforeAll
  static void start() throws Exception {
    h = new MallHarness(dataDir, new MallOptions(300, 200, 50, Duration.ofMillis(100)).withSettlement(Duration.ofHours(1), DELAY));
    owner = h.new Member("order-owner").ready();
    fan = h.new Member("order-fan").ready();
    payee = h.vendor(owner, "Order Payee", 10);
    payee.product("P1", 10);
  }

  @AfterAll
  static void stop() {
    if (h != null) h.close();
  }

  /** A payer (rate 10) whose cash position is 10 won per token bought, all of them allotted to the fan. */
  static MallHarness.VendorClient payer(String name, long tokensBought) throws Exception {
    MallHarness.VendorClient p = h.vendor(owner, name, 10);
    check(p.buyTokens(tokensBought, key()), 200);
    payee.accept(p);
    fan.register(p.id);
    check(p.allot(fan.id, tokensBought, "LOYALTY", key()), 200);
    return p;
  }

  /** The fan buys P1 (100 won) at the payee with the payer's tokens: the payer owes the payee 100 won plus a toll. */
  static void spend(MallHarness.VendorClient p) throws Exception {
    fan.signIn(); // the clock moves a day at a time, past a session's lifetime
    check(fan.spend(payee.id, "P1", p.id, key()), 200);
  }

  static List<Long> runOrder() throws Exception {
    JsonObject run = check(h.gateway.post("/api/v1/mall/admin/settlement-runs", new JsonObject()), 200).bodyAsJsonObject();
    List<Long> order = new ArrayList<>();
    run.getJsonArray("payers").forEach(x -> order.add(((JsonObject) x).getLong("vendorId")));
    return order;
  }

  static String status(long payerId) throws Exception {
    List<String> out = new ArrayList<>();
    for (Row r : h.gateway.app.context().pool().preparedQuery("SELECT status FROM mall.reimbursement WHERE payer_vendor_id = $1"
        + " ORDER BY id").execute(Tuple.of(payerId)).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS)) {
      out.add(r.getString(0));
    }
    return String.join(",", out);
  }

  @Test
  void aPayerAlreadyFoundShortGoesAfterThoseWhoCanPayEvenWithTheOlderDebt() throws Exception {
    MallHarness.VendorClient shortPayer = payer("Order Short", 10); // 100 won of cash: cannot cover 100 + 50
    MallHarness.VendorClient goodPayer = payer("Order Good", 100);
    spend(shortPayer); // the older debt
    spend(goodPayer);
    h.clock.advance(DELAY.plusSeconds(1));

    assertEquals(List.of(shortPayer.id, goodPayer.id), runOrder(), "nobody reported yet: oldest debt first");
    assertEquals("OWED", status(shortPayer.id), "not covered");
    assertEquals("PAID", status(goodPayer.id));

    spend(goodPayer); // a younger debt of a payer who can pay
    h.clock.advance(DELAY.plusSeconds(1));
    assertEquals(List.of(goodPayer.id, shortPayer.id), runOrder(), "the payer found short goes last");
    assertEquals("PAID,PAID", status(goodPayer.id));
    assertEquals("OWED", status(shortPayer.id));
  }
}
