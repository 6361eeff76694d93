package dev.mileage.gateway.mall;

import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.StandardPointTypes;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static dev.mileage.gateway.mall.MallHarness.check;
import static dev.mileage.gateway.mall.MallHarness.key;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three vendors end to end over real HTTP and a real PostgreSQL: approval, issuance to vendors by card,
 * allotment and online sale to users, spending at home and across vendors (royalty and reimbursement),
 * an exchange with its service charge, a toll for a customer-information request, reimbursements paid with
 * their tolls. Every figure is worked out by hand below and checked three ways: the vendors' and the
 * operator's reports, the ledger's own accounts, and the members' wallets.
 *
 * <pre>
 * rates: A 10 won, B 20 won, C 5 won; royalty 3%, service charge 2%, toll 50 won
 * A buys 1000 A (10,000 won), B buys 500 B (10,000), C buys 2000 C (10,000)
 * A allots 300 A to u1 (loyalty); B allots 200 B to u2 (offline purchase); u3 buys 400 C online (2,000 won)
 * u1 buys A1 (50 A) at A with A: 50 A redeemed at home
 * u2 buys A2 (40 A = 400 won) at A with B: 20 B, B owes A 400, A pays royalty 12
 * u3 buys A1 (50 A = 500 won) at A with C: 100 C, C owes A 500, A pays royalty 15
 * u1 buys B1 (10 B = 200 won) at B with A: 20 A, A owes B 200, B pays royalty 6
 * u1 exchanges 100 A into C: fee 2 A (20 won, A pays the mall), 98 A = 980 won = 196 C, A owes C 980
 * B asks about u1 at A: toll 50; B pays what it owes (400 + toll 50), C pays (500 + toll 50); A pays nothing yet
 * </pre>
 */
class MallScenarioTest {
  @TempDir
  static Path dataDir;
  static MallHarness h;

  @BeforeAll
  static void start() throws Exception {
    h = new MallHarness(dataDir);
  }

  @AfterAll
  static void stop() {
    if (h != null) h.close();
  }

  @Test
  void threeVendorsAddUpPerVendorAndInTotalToTheLedger() throws Exception {
    MallHarness.Member owner = h.new Member("owner").ready();
    MallHarness.VendorClient a = h.vendor(owner, "Alpha Books", 10);
    MallHarness.VendorClient b = h.vendor(owner, "Beta Coffee", 20);
    MallHarness.VendorClient c = h.vendor(owner, "Gamma Games", 5);
    a.product("A1", 50);
    a.product("A2", 40);
    b.product("B1", 10);
    a.accept(b);
    a.accept(c);
    b.accept(a);
    c.accept(a);

    check(a.buyTokens(1000, key()), 200);
    check(b.buyTokens(500, key()), 200);
    String cIssue = key();
    JsonObject issued = check(c.buyTokens(2000, cIssue), 200).bodyAsJsonObject();
    assertEquals(issued, check(c.buyTokens(2000, cIssue), 200).bodyAsJsonObject(), "a replayed issuance answers the same entry");
    assertEquals(30_000, h.payments.netChargedWon(), "the replay did not charge the card again");

    MallHarness.Member u1 = h.new Member("user-one").ready();
    MallHarness.Member u2 = h.new Member("user-two").ready();
    MallHarness.Member u3 = h.new Member("user-three").ready();
    u1.register(a.id);
    u2.register(b.id);
    check(a.allot(u1.id, 300, "LOYALTY", key()), 200);
    check(b.allot(u2.id, 200, "OFFLINE_PURCHASE", key()), 200);
    check(u3.post("/api/v1/mall/vendors/" + c.id + "/token-purchases", new JsonObject().put("tokens", 400)
        .put("requestKey", key()).put("cardToken", "sandbox-ok")), 200);
    assertEquals(32_000, h.payments.netChargedWon());

    String home = key();
    JsonObject spent = check(u1.spend(a.id, "A1", a.id, home), 200).bodyAsJsonObject();
    assertEquals(spent, check(u1.spend(a.id, "A1", a.id, home), 200).bodyAsJsonObject(), "replay: same entry, nothing moved twice");
    JsonObject cross = check(u2.spend(a.id, "A2", b.id, key()), 200).bodyAsJsonObject();
    assertEquals(20, cross.getLong("tokens"));
    assertEquals(400, cross.getLong("valueWon"));
    assertEquals(12, cross.getLong("royaltyWon"));
    check(u3.spend(a.id, "A1", c.id, key()), 200);
    check(u1.spend(b.id, "B1", a.id, key()), 200);

    JsonObject quote = check(u1.get("/api/v1/mall/exchange-quote?from=" + a.id + "&to=" + c.id + "&tokens=100"), 200).bodyAsJsonObject();
    assertEquals(196, quote.getLong("credited"));
    assertEquals(2, quote.getLong("serviceChargeTokens"));
    assertEquals(20, quote.getLong("serviceChargeWon"));
    String ex = key();
    JsonObject exchanged = check(u1.post("/api/v1/mall/exchanges", new JsonObject().put("fromVendorId", a.id).put("toVendorId", c.id)
        .put("tokens", 100).put("expectedCredited", 196).put("requestKey", ex)), 200).bodyAsJsonObject();
    assertEquals(196, exchanged.getLong("creditedTokens"));
    assertEquals(exchanged, check(u1.exchange(a.id, c.id, 100, ex), 200).bodyAsJsonObject());

    JsonObject info = check(b.post("/api/v1/mall/vendor/customer-info", new JsonObject().put("vendorId", a.id)
        .put("memberId", u1.id).put("requestKey", key())), 200).bodyAsJsonObject();
    assertTrue(info.getBoolean("registered"));
    assertEquals(50, info.getLong("tollWon"));

    JsonObject paidB = check(b.post("/api/v1/mall/vendor/reimbursements/pay", null), 200).bodyAsJsonObject();
    assertEquals(400, paidB.getLong("paidWon"));
    assertEquals(0, check(b.post("/api/v1/mall/vendor/reimbursements/pay", null), 200).bodyAsJsonObject().getLong("paid"));
    assertEquals(500, check(h.gateway.post("/api/v1/mall/admin/vendors/" + c.id + "/reimbursements/pay", new JsonObject()), 200)
        .bodyAsJsonObject().getLong("paidWon"));

    // the members' wallets
    assertEquals(130, u1.tokens(a.id));
    assertEquals(196, u1.tokens(c.id));
    assertEquals(180, u2.tokens(b.id));
    assertEquals(300, u3.tokens(c.id));

    // the reports
    JsonObject ra = a.report();
    tokens(ra, 1000, 700, 130, 50, 20, 0, 98, 2);
    cash(ra, 10_853, 10_000, 27, 1_180, 0, 0, 900, 0, 20);
    JsonObject rb = b.report();
    tokens(rb, 500, 300, 180, 0, 20, 0, 0, 0);
    cash(rb, 9_494, 10_000, 6, 0, 400, 200, 0, 100, 0);
    JsonObject rc = c.report();
    tokens(rc, 2000, 1600, 496, 0, 100, 196, 0, 0);
    cash(rc, 11_450, 12_000, 0, 0, 500, 980, 0, 50, 0);
    for (JsonObject r : List.of(ra, rb, rc)) assertTrue(r.getBoolean("reconciled"), r.encodePrettily());

    JsonObject op = h.operatorReport();
    assertTrue(op.getBoolean("reconciled"), op.encodePrettily());
    JsonObject t = op.getJsonObject("totals");
    assertEquals(3500, t.getLong("issued"));
    assertEquals(130 + 180 + 496, t.getLong("inCirculation"));
    assertEquals(32_000, t.getLong("cardReceiptsWon"));
    assertEquals(10_853 + 9_494 + 11_450, t.getLong("vendorPositionsWon"));
    assertEquals(33, t.getLong("royaltiesWon"));
    assertEquals(150, t.getLong("tollsWon"));
    assertEquals(20, t.getLong("serviceChargesWon"));
    assertEquals(1_180, t.getLong("reimbursementsOwedWon"));
    assertEquals(900, t.getLong("reimbursementsPaidWon"));

    // the ledger itself: circulation is what members hold; cash nets to zero across the mall's accounts
    assertEquals(130, posted("member:" + u1.id, a.pointType));
    assertEquals(180 + 0, posted("member:" + u2.id, b.pointType));
    assertEquals(300 + 196, posted("member:" + u3.id, c.pointType) + posted("member:" + u1.id, c.pointType));
    assertEquals(50 + 20 + 100, posted("vendor:" + a.id + ":taken", a.pointType) + posted("vendor:" + a.id + ":taken", b.pointType)
        + posted("vendor:" + a.id + ":taken", c.pointType));
    long cashSum = 0;
    for (String o : List.of("vendor:" + a.id, "vendor:" + b.id, "vendor:" + c.id, "mall:card-receipts", "mall:royalties",
        "mall:tolls", "mall:service-charges")) {
      cashSum += posted(o, StandardPointTypes.CASH);
    }
    assertEquals(0, cashSum, "double entry: the mall's cash accounts net to zero");
    Account aCash = h.account("vendor:" + a.id, StandardPointTypes.CASH).orElseThrow();
    assertEquals(1_180, aCash.debitsPending(), "A's owed reimbursements are reservations in the ledger");
    assertEquals(900, aCash.creditsPosted() - 10_000, "A received what B and C paid");
  }

  private static long posted(String owner, int type) throws Exception {
    return h.account(owner, type).map(Account::posted).orElse(0L);
  }

  private static void tokens(JsonObject report, long issued, long available, long circulation, long atHome, long atOthers,
                             long exchangedIn, long exchangedOut, long chargeTokens) {
    JsonObject t = report.getJsonObject("tokens");
    String r = report.encodePrettily();
    assertEquals(issued, t.getLong("issued"), r);
    assertEquals(available, t.getLong("available"), r);
    assertEquals(circulation, t.getLong("inCirculation"), r);
    assertEquals(atHome, t.getLong("spentAtHome"), r);
    assertEquals(atOthers, t.getLong("spentAtOthers"), r);
    assertEquals(exchangedIn, t.getLong("exchangedIn"), r);
    assertEquals(exchangedOut, t.getLong("exchangedOut"), r);
    assertEquals(chargeTokens, t.getLong("serviceChargeTokens"), r);
  }

  private static void cash(JsonObject report, long position, long card, long royalties, long owed, long paid, long due,
                           long received, long tolls, long charges) {
    JsonObject c = report.getJsonObject("cash");
    String r = report.encodePrettily();
    assertEquals(position, c.getLong("positionWon"), r);
    assertEquals(card, c.getLong("cardReceiptsWon"), r);
    assertEquals(royalties, c.getLong("royaltiesWon"), r);
    assertEquals(owed, c.getLong("reimbursementsOwedWon"), r);
    assertEquals(paid, c.getLong("reimbursementsPaidWon"), r);
    assertEquals(due, c.getLong("reimbursementsDueWon"), r);
    assertEquals(received, c.getLong("reimbursementsReceivedWon"), r);
    assertEquals(tolls, c.getLong("tollsWon"), r);
    assertEquals(charges, c.getLong("serviceChargesWon"), r);
  }
}
