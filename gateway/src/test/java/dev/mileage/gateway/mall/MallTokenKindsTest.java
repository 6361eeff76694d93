package dev.mileage.gateway.mall;

import dev.mileage.gateway.shop.SandboxPaymentProvider;
import dev.mileage.points.ledger.Account;
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

import static dev.mileage.gateway.mall.MallHarness.check;
import static dev.mileage.gateway.mall.MallHarness.key;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Token kinds over real HTTP and PostgreSQL: the operator gives vendor A gift-certificate and auction tokens
 * (each a ledger point type issued by A); gift tokens are spent at a vendor accepting A's tokens (with the
 * reimbursement owed as for A's own) and refused for exchange; auction tokens are refused for purchases, POS
 * pay codes and exchanges with nothing moved, and pay for an auction that settles once with no hold left.
 */
class MallTokenKindsTest {
  static final long GIFT_EACH = 300;
  static final long AUCTION_EACH = 400;

  @TempDir
  static Path dataDir;
  static MallHarness h;
  static MallHarness.VendorClient a;
  static MallHarness.VendorClient b;
  static MallHarness.VendorClient c;
  static MallHarness.Member m;
  static MallHarness.Member m2;
  static int giftType;
  static int auctionType;

  @BeforeAll
  static void start() throws Exception {
    h = new MallHarness(dataDir);
    MallHarness.Member owner = h.new Member("kinds-owner").ready();
    a = h.vendor(owner, "Gift House", 10);
    b = h.vendor(owner, "Accepting Store", 10);
    c = h.vendor(owner, "Other Store", 10);
    b.accept(a);
    b.product("b1", 50);
    a.product("a1", 20);
    c.product("c1", 30);
    JsonObject gift = check(addToken(a.id, Vendor.GIFT_CERTIFICATE), 201).bodyAsJsonObject();
    JsonObject auction = check(addToken(a.id, Vendor.AUCTION), 201).bodyAsJsonObject();
    giftType = gift.getInteger("pointType");
    auctionType = auction.getInteger("pointType");
    m = h.new Member("kinds-member").ready();
    m2 = h.new Member("kinds-member-2").ready();
    for (MallHarness.Member x : new MallHarness.Member[] {m, m2}) {
      x.register(a.id);
      check(a.allot(x.id, 0 + 1, "LOYALTY", key()), 409); // nothing bought yet: out of tokens
    }
    check(buy(a, 2 * GIFT_EACH + 200, Vendor.GIFT_CERTIFICATE), 200);
    check(buy(a, 2 * AUCTION_EACH, Vendor.AUCTION), 200);
    check(a.buyTokens(200, key()), 200);
    for (MallHarness.Member x : new MallHarness.Member[] {m, m2}) {
      check(allot(a, x.id, GIFT_EACH, Vendor.GIFT_CERTIFICATE), 200);
      check(allot(a, x.id, AUCTION_EACH, Vendor.AUCTION), 200);
      check(a.allot(x.id, 100, "LOYALTY", key()), 200);
    }
  }

  @AfterAll
  static void stop() {
    if (h != null) h.close();
  }

  static HttpResponse<Buffer> addToken(long vendorId, String kind) throws Exception {
    return h.gateway.post("/api/v1/mall/admin/vendors/" + vendorId + "/tokens", new JsonObject().put("kind", kind));
  }

  static HttpResponse<Buffer> buy(MallHarness.VendorClient v, long tokens, String kind) throws Exception {
    return v.post("/api/v1/mall/vendor/token-purchases", new JsonObject().put("tokens", tokens).put("requestKey", key())
        .put("cardToken", SandboxPaymentProvider.TOKEN_OK).put("tokenKind", kind));
  }

  static HttpResponse<Buffer> allot(MallHarness.VendorClient v, long memberId, long tokens, String kind) throws Exception {
    return v.post("/api/v1/mall/vendor/allotments", new JsonObject().put("memberId", memberId).put("tokens", tokens)
        .put("reason", "LOYALTY").put("requestKey", key()).put("tokenKind", kind));
  }

  static HttpResponse<Buffer> spend(MallHarness.Member x, long at, String sku, long tokenVendor, String kind) throws Exception {
    return x.post("/api/v1/mall/vendors/" + at + "/purchases", new JsonObject().put("sku", sku).put("tokenVendorId", tokenVendor)
        .put("tokenKind", kind).put("requestKey", key()));
  }

  static HttpResponse<Buffer> exchange(MallHarness.Member x, long from, String fromKind, long to, long tokens) throws Exception {
    return x.post("/api/v1/mall/exchanges", new JsonObject().put("fromVendorId", from).put("fromTokenKind", fromKind)
        .put("toVendorId", to).put("tokens", tokens).put("requestKey", key()));
  }

  /** The member's available tokens of vendor {@code vendorId} of {@code kind}, from the wallet. */
  static long wallet(MallHarness.Member x, long vendorId, String kind) throws Exception {
    for (Object o : check(x.get("/api/v1/mall/wallet"), 200).bodyAsJsonArray()) {
      JsonObject w = (JsonObject) o;
      if (w.getLong("vendorId") == vendorId && w.getString("kind").equals(kind)) return w.getLong("available");
    }
    return 0;
  }

  static Account account(String owner, int type) throws Exception {
    return h.account(owner, type).orElseThrow();
  }

  static long posted(String owner, int type) throws Exception {
    return h.account(owner, type).map(Account::posted).orElse(0L);
  }

  @Test
  void theOperatorAddsTokenKindsIdempotentlyAndTheWalletShowsThem() throws Exception {
    JsonObject again = check(addToken(a.id, Vendor.GIFT_CERTIFICATE), 200).bodyAsJsonObject();
    assertEquals(giftType, again.getInteger("pointType"), "adding twice defines nothing new");
    assertEquals("TOKEN_GIFTHOUSE_GIFT", again.getString("token"));
    assertEquals(400, addToken(a.id, "STANDARD").statusCode(), "only extra kinds are added");
    assertEquals(404, addToken(999_999, Vendor.AUCTION).statusCode());
    assertEquals(403, m.post("/api/v1/mall/admin/vendors/" + a.id + "/tokens", new JsonObject().put("kind", "AUCTION")).statusCode(),
        "members cannot add tokens");
    // the point types are the vendor's: issuer vendor:A
    var types = h.gateway.app.context().ledger().pointTypes().toCompletableFuture().get();
    assertTrue(types.stream().anyMatch(t -> t.id() == giftType && t.issuer().equals("vendor:" + a.id) && !t.restricted()));
    JsonArray tokens = check(m.get("/api/v1/mall/vendors/" + a.id + "/tokens"), 200).bodyAsJsonArray();
    assertEquals(3, tokens.size(), tokens.encode());
    assertEquals("STANDARD", tokens.getJsonObject(0).getString("kind"));
    // the listing users see: B takes A's own tokens and its gift certificates (never auction tokens)
    JsonObject shopB = check(m.get("/api/v1/mall/vendors/" + b.id), 200).bodyAsJsonObject();
    JsonObject takesA = null;
    for (Object o : shopB.getJsonArray("acceptedTokens")) {
      if (((JsonObject) o).getLong("vendorId") == a.id) takesA = (JsonObject) o;
    }
    assertTrue(takesA != null, shopB.encode());
    assertEquals(new JsonArray().add(Vendor.STANDARD).add(Vendor.GIFT_CERTIFICATE), takesA.getJsonArray("kinds"));
    for (Object o : check(m.get("/api/v1/mall/vendors"), 200).bodyAsJsonArray()) {
      JsonObject v = (JsonObject) o;
      if (v.getLong("id") == a.id) {
        assertEquals(new JsonArray().add(Vendor.STANDARD).add(Vendor.AUCTION).add(Vendor.GIFT_CERTIFICATE), v.getJsonArray("tokenKinds"));
      }
    }
    // a vendor without the kind cannot issue it
    assertEquals("not_found", buy(b, 10, Vendor.AUCTION).bodyAsJsonObject().getString("error"));
    assertEquals(400, buy(b, 10, "PLATINUM").statusCode());
    JsonArray w = check(m2.get("/api/v1/mall/wallet"), 200).bodyAsJsonArray();
    boolean sawGift = false;
    for (Object o : w) {
      JsonObject x = (JsonObject) o;
      if (x.getString("kind").equals(Vendor.GIFT_CERTIFICATE)) {
        sawGift = true;
        assertFalse(x.getBoolean("exchangeable"));
        assertEquals("TOKEN_GIFTHOUSE_GIFT", x.getString("token"));
      }
    }
    assertTrue(sawGift, w.encode());
  }

  @Test
  void giftTokensAreSpentAtAnAcceptingVendorAndNeverExchanged() throws Exception {
    long before = wallet(m, a.id, Vendor.GIFT_CERTIFICATE);
    long standardBefore = wallet(m, a.id, Vendor.STANDARD);
    long takenBefore = posted("vendor:" + b.id + ":taken", giftType);
    JsonObject e = check(spend(m, b.id, "b1", a.id, Vendor.GIFT_CERTIFICATE), 200).bodyAsJsonObject();
    assertEquals(Vendor.GIFT_CERTIFICATE, e.getString("tokenKind"));
    assertEquals(50, e.getLong("tokens"));
    assertEquals(500, e.getLong("valueWon"), "A reimburses B the gift tokens' value");
    assertEquals(before - 50, wallet(m, a.id, Vendor.GIFT_CERTIFICATE));
    assertEquals(standardBefore, wallet(m, a.id, Vendor.STANDARD), "the standard tokens are untouched");
    assertEquals(takenBefore + 50, posted("vendor:" + b.id + ":taken", giftType));
    // not at a vendor that does not accept A's tokens
    assertEquals("token_not_accepted", spend(m, c.id, "c1", a.id, Vendor.GIFT_CERTIFICATE).bodyAsJsonObject().getString("error",
        "no error"), "unknown product or not accepted");
    // never exchanged: refused with the reason, nothing moved
    long gift = wallet(m, a.id, Vendor.GIFT_CERTIFICATE);
    HttpResponse<Buffer> refused = exchange(m, a.id, Vendor.GIFT_CERTIFICATE, c.id, 100);
    assertEquals(409, refused.statusCode(), refused.bodyAsString());
    assertEquals("token_not_exchangeable", refused.bodyAsJsonObject().getString("error"));
    assertTrue(refused.bodyAsJsonObject().getString("reason").contains("cannot be exchanged"));
    assertEquals(409, m.get("/api/v1/mall/exchange-quote?from=" + a.id + "&to=" + c.id + "&tokens=100&fromTokenKind=GIFT_CERTIFICATE")
        .statusCode());
    assertEquals(gift, wallet(m, a.id, Vendor.GIFT_CERTIFICATE));
    assertEquals(0, wallet(m, c.id, Vendor.STANDARD));
    // the reports show the gift token, and still reconcile with the ledger
    JsonObject report = h.operatorReport();
    assertTrue(report.getBoolean("reconciled"), report.encodePrettily());
    JsonObject mine = a.report();
    assertEquals(Vendor.STANDARD, mine.getString("tokenKind"));
    JsonObject giftFigures = null;
    for (Object o : mine.getJsonArray("extraTokens")) {
      JsonObject x = (JsonObject) o;
      if (x.getString("kind").equals(Vendor.GIFT_CERTIFICATE)) giftFigures = x;
    }
    assertTrue(giftFigures != null, mine.encodePrettily());
    assertEquals(2 * GIFT_EACH + 200, giftFigures.getLong("issued"));
    assertTrue(giftFigures.getLong("spentAtOthers") >= 50);
    assertEquals(giftFigures.getLong("issued") - giftFigures.getLong("available") - giftFigures.getLong("spentAtHome")
        - giftFigures.getLong("spentAtOthers"), giftFigures.getLong("inCirculation"));
  }

  @Test
  void giftTokensPayAtAnAcceptingVendorsPosTerminal() throws Exception {
    MallHarness.Member x = h.new Member("kinds-pos").ready();
    x.register(a.id);
    check(allot(a, x.id, 80, Vendor.GIFT_CERTIFICATE), 200);
    JsonObject code = check(x.post("/api/v1/mall/pay-codes", new JsonObject().put("vendorId", b.id).put("tokenVendorId", a.id)
        .put("tokenKind", Vendor.GIFT_CERTIFICATE)), 201).bodyAsJsonObject();
    assertEquals(Vendor.GIFT_CERTIFICATE, code.getString("tokenKind"));
    long takenBefore = posted("vendor:" + b.id + ":taken", giftType);
    JsonObject sold = check(b.post("/api/v1/mall/pos/sales", new JsonObject().put("payCode", code.getString("code")).put("sku", "b1")
        .put("requestKey", key())), 200).bodyAsJsonObject();
    assertEquals(Vendor.GIFT_CERTIFICATE, sold.getString("tokenKind"));
    assertEquals(30, wallet(x, a.id, Vendor.GIFT_CERTIFICATE));
    assertEquals(0, wallet(x, a.id, Vendor.STANDARD), "paid in gift tokens, not standard ones");
    assertEquals(takenBefore + 50, posted("vendor:" + b.id + ":taken", giftType));
    // a vendor without gift tokens: no such token
    assertEquals(404, x.post("/api/v1/mall/pay-codes", new JsonObject().put("vendorId", b.id).put("tokenVendorId", b.id)
        .put("tokenKind", Vendor.GIFT_CERTIFICATE)).statusCode());
  }

  @Test
  void aMemberBuysGiftCertificatesOnline() throws Exception {
    MallHarness.Member x = h.new Member("kinds-buyer").ready();
    long stock = posted("vendor:" + a.id, giftType);
    JsonObject sale = check(x.post("/api/v1/mall/vendors/" + a.id + "/token-purchases", new JsonObject().put("tokens", 20)
        .put("requestKey", key()).put("cardToken", SandboxPaymentProvider.TOKEN_OK).put("tokenKind", Vendor.GIFT_CERTIFICATE)), 200)
        .bodyAsJsonObject();
    assertEquals(Vendor.GIFT_CERTIFICATE, sale.getString("tokenKind"));
    assertEquals(200, sale.getLong("valueWon"));
    assertEquals(20, wallet(x, a.id, Vendor.GIFT_CERTIFICATE));
    assertEquals(0, wallet(x, a.id, Vendor.STANDARD));
    assertEquals(stock - 20, posted("vendor:" + a.id, giftType), "from the vendor's gift stock");
    assertTrue(h.operatorReport().getBoolean("reconciled"));
  }

  @Test
  void allotmentsOfAKindAreIdempotentAndTheRateMovesEveryKind() throws Exception {
    MallHarness.Member x = h.new Member("kinds-member-3").ready();
    x.register(a.id);
    String k = key();
    JsonObject body = new JsonObject().put("memberId", x.id).put("tokens", 7).put("reason", "LOYALTY").put("requestKey", k)
        .put("tokenKind", Vendor.GIFT_CERTIFICATE);
    check(a.post("/api/v1/mall/vendor/allotments", body), 200);
    check(a.post("/api/v1/mall/vendor/allotments", body), 200);
    assertEquals(7, wallet(x, a.id, Vendor.GIFT_CERTIFICATE), "the same request key moves once");
    HttpResponse<Buffer> other = a.post("/api/v1/mall/vendor/allotments", body.copy().put("tokenKind", Vendor.AUCTION));
    assertEquals("request_key_reused", other.bodyAsJsonObject().getString("error"), other.bodyAsString());
    assertEquals(0, wallet(x, a.id, Vendor.AUCTION));
    // the operator's new rate is the cash value of the vendor's tokens of every kind
    check(addToken(c.id, Vendor.GIFT_CERTIFICATE), 201);
    check(h.gateway.send(HttpMethod.PUT, "/api/v1/mall/admin/vendors/" + c.id + "/rate", "operator", dev.mileage.gateway.TestGateway.PASSWORD,
        Buffer.buffer(new JsonObject().put("rateWon", 15).encode())), 200);
    JsonArray tokens = check(m.get("/api/v1/mall/vendors/" + c.id + "/tokens"), 200).bodyAsJsonArray();
    var types = h.gateway.app.context().ledger().pointTypes().toCompletableFuture().get();
    for (Object o : tokens) {
      int type = ((JsonObject) o).getInteger("pointType");
      assertEquals(15_000_000L, types.stream().filter(t -> t.id() == type).findFirst().orElseThrow().cashMicrosPerUnit(), tokens.encode());
    }
    assertEquals(2, tokens.size());
  }

  @Test
  void auctionTokensAreRefusedForPurchasesPosAndExchangesWithNothingMoved() throws Exception {
    long before = wallet(m2, a.id, Vendor.AUCTION);
    Account held = account("member:" + m2.id, auctionType);
    long takenAtA = posted("vendor:" + a.id + ":taken", auctionType);
    long takenAtB = posted("vendor:" + b.id + ":taken", auctionType);
    for (long at : new long[] {a.id, b.id}) {
      HttpResponse<Buffer> r = spend(m2, at, at == a.id ? "a1" : "b1", a.id, Vendor.AUCTION);
      assertEquals(409, r.statusCode(), r.bodyAsString());
      assertEquals("auction_tokens_only", r.bodyAsJsonObject().getString("error"));
      assertTrue(r.bodyAsJsonObject().getString("reason").contains("auction"));
    }
    HttpResponse<Buffer> pos = m2.post("/api/v1/mall/pay-codes", new JsonObject().put("vendorId", a.id).put("tokenVendorId", a.id)
        .put("tokenKind", Vendor.AUCTION));
    assertEquals("auction_tokens_only", pos.bodyAsJsonObject().getString("error"));
    HttpResponse<Buffer> ex = exchange(m2, a.id, Vendor.AUCTION, c.id, 100);
    assertEquals("token_not_exchangeable", ex.bodyAsJsonObject().getString("error"), ex.bodyAsString());
    assertEquals(before, wallet(m2, a.id, Vendor.AUCTION));
    Account after = account("member:" + m2.id, auctionType);
    assertEquals(held.debitsPosted(), after.debitsPosted(), "nothing moved");
    assertEquals(held.debitsPending(), after.debitsPending(), "nothing held");
    assertEquals(takenAtA, posted("vendor:" + a.id + ":taken", auctionType), "no auction token taken at A");
    assertEquals(takenAtB, posted("vendor:" + b.id + ":taken", auctionType), "no auction token taken at B");
    for (Object o : check(m2.get("/api/v1/mall/history"), 200).bodyAsJsonArray()) {
      assertFalse(((JsonObject) o).getString("tokenKind").equals(Vendor.AUCTION) && ((JsonObject) o).getString("kind").equals("SPEND"));
    }
  }

  @Test
  void anAuctionPaidInAuctionTokensSettlesOnce() throws Exception {
    assertEquals("not_found", b.post("/api/v1/mall/vendor/auctions", new JsonObject().put("title", "No tokens").put("startingBid", 10)
        .put("durationSeconds", 600).put("requestKey", key()).put("tokenKind", Vendor.AUCTION)).bodyAsJsonObject().getString("error"),
        "B has no auction tokens");
    JsonObject auction = check(a.post("/api/v1/mall/vendor/auctions", new JsonObject().put("title", "Signed guitar")
        .put("startingBid", 100).put("durationSeconds", 600).put("requestKey", key()).put("tokenKind", Vendor.AUCTION)), 201)
        .bodyAsJsonObject();
    assertEquals(Vendor.AUCTION, auction.getString("tokenKind"));
    assertEquals("TOKEN_GIFTHOUSE_AUCTION", auction.getString("token"));
    long id = auction.getLong("id");
    long standardM = posted("member:" + m.id, a.pointType);
    long takenBefore = posted("vendor:" + a.id + ":taken", auctionType);
    long mBefore = account("member:" + m.id, auctionType).available();
    long m2Before = account("member:" + m2.id, auctionType).available();
    check(m.bid(id, 150, key()), 200);
    assertEquals(150, account("member:" + m.id, auctionType).debitsPending(), "the bid is held in auction tokens");
    check(m2.bid(id, 200, key()), 200);
    assertEquals(0, account("member:" + m.id, auctionType).debitsPending(), "outbid: released");
    h.clock.advance(Duration.ofSeconds(601));
    JsonObject settled = check(a.post("/api/v1/mall/vendor/auctions/" + id + "/close", null), 200).bodyAsJsonObject();
    assertEquals("SETTLED", settled.getString("status"));
    check(a.post("/api/v1/mall/vendor/auctions/" + id + "/close", null), 200);
    assertEquals(mBefore, account("member:" + m.id, auctionType).available());
    assertEquals(m2Before - 200, account("member:" + m2.id, auctionType).available());
    assertEquals(0, account("member:" + m2.id, auctionType).debitsPending(), "no reservation left");
    assertEquals(takenBefore + 200, posted("vendor:" + a.id + ":taken", auctionType), "paid once, in auction tokens");
    assertEquals(standardM, posted("member:" + m.id, a.pointType), "standard tokens untouched");
    assertTrue(h.operatorReport().getBoolean("reconciled"));
  }
}
