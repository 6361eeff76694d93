package dev.mileage.gateway.mall;

import dev.mileage.points.ledger.Account;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.mileage.gateway.mall.MallHarness.check;
import static dev.mileage.gateway.mall.MallHarness.key;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Auctions payable in tokens with competing bidders over real HTTP: bids race each other (all sent at
 * once), each held as a ledger reservation; outbid ones are released; the auction is closed by the injected
 * clock (the sweeper) while the vendor also asks to close it, and settles exactly once with the winner;
 * afterwards no reservation is left in any bidder's account.
 */
class MallAuctionTest {
  static final int BIDDERS = 6;
  static final int BIDS_EACH = 5;
  static final long TOKENS_EACH = 500;

  @TempDir
  static Path dataDir;
  static MallHarness h;
  static MallHarness.VendorClient v;
  static final List<MallHarness.Member> bidders = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    h = new MallHarness(dataDir);
    MallHarness.Member owner = h.new Member("auction-owner").ready();
    v = h.vendor(owner, "Auction House", 10);
    check(v.buyTokens(BIDDERS * TOKENS_EACH, key()), 200);
    for (int i = 0; i < BIDDERS; i++) {
      MallHarness.Member m = h.new Member("bidder-" + i).ready();
      m.register(v.id);
      check(v.allot(m.id, TOKENS_EACH, "LOYALTY", key()), 200);
      bidders.add(m);
    }
  }

  @AfterAll
  static void stop() {
    if (h != null) h.close();
  }

  private static JsonObject open(String title, long startingBid, long seconds) throws Exception {
    return check(v.post("/api/v1/mall/vendor/auctions", new JsonObject().put("title", title).put("startingBid", startingBid)
        .put("durationSeconds", seconds).put("requestKey", key())), 201).bodyAsJsonObject();
  }

  private static Account account(MallHarness.Member m) throws Exception {
    return h.account("member:" + m.id, v.pointType).orElseThrow();
  }

  private static JsonObject awaitStatus(long auction, String status) throws Exception {
    Instant deadline = Instant.now().plusSeconds(20);
    while (Instant.now().isBefore(deadline)) {
      JsonObject a = check(bidders.get(0).get("/api/v1/mall/auctions/" + auction), 200).bodyAsJsonObject();
      if (a.getString("status").equals(status)) return a;
      Thread.sleep(50);
    }
    throw new AssertionError("auction " + auction + " never became " + status);
  }

  @Test
  void competingBiddersSettleOnceWithTheWinnerAndNoReservationIsLeft() throws Exception {
    long auction = open("Signed first edition", 10, 600).getLong("id");
    long before = h.account("vendor:" + v.id + ":taken", v.pointType).map(Account::posted).orElse(0L);

    // every bidder sends all its bids at once: amounts interleave so that bids outbid each other in flight
    List<Future<HttpResponse<Buffer>>> inFlight = new ArrayList<>();
    long top = 0;
    for (int round = 0; round < BIDS_EACH; round++) {
      for (int i = 0; i < BIDDERS; i++) {
        MallHarness.Member m = bidders.get(i);
        long amount = 20 + round * BIDDERS * 3L + i * 3L;
        top = Math.max(top, amount);
        var req = m.web.request(HttpMethod.POST, "/api/v1/mall/auctions/" + auction + "/bids").putHeader("X-CSRF-Token", m.csrf)
            .putHeader("Content-Type", "application/json");
        inFlight.add(req.sendBuffer(Buffer.buffer(new JsonObject().put("amount", amount).put("bidKey", key()).encode())));
      }
    }
    Future.join(inFlight).toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
    int accepted = 0;
    for (Future<HttpResponse<Buffer>> f : inFlight) {
      int status = f.result().statusCode();
      assertTrue(status == 200 || status == 409, f.result().bodyAsString());
      if (status == 200) accepted++;
    }
    assertTrue(accepted >= 1);
    int winnerIndex = (int) (((top - 20) % (BIDDERS * 3L)) / 3);
    MallHarness.Member winner = bidders.get(winnerIndex);
    JsonObject live = check(winner.get("/api/v1/mall/auctions/" + auction), 200).bodyAsJsonObject();
    assertEquals(top, live.getLong("highBid"), "the highest amount wins whatever the arrival order");
    long held = 0;
    for (MallHarness.Member m : bidders) held += account(m).debitsPending();
    assertEquals(top, held, "exactly one reservation is held: the highest bid's");
    assertEquals(top, account(winner).debitsPending());

    assertEquals("bid_too_low", winner.bid(auction, top, key()).bodyAsJsonObject().getString("error"));
    MallHarness.Member other = bidders.get((winnerIndex + 1) % BIDDERS);
    assertEquals("insufficient_tokens", other.bid(auction, TOKENS_EACH + 1, key()).bodyAsJsonObject().getString("error"));
    assertEquals(0, account(other).debitsPending(), "a refused bid holds nothing");
    assertEquals("not_due", v.post("/api/v1/mall/vendor/auctions/" + auction + "/close", null).bodyAsJsonObject().getString("error"));

    // the clock passes the closing time: the sweeper and the vendor close it at the same time
    h.clock.advance(Duration.ofSeconds(601));
    List<Future<HttpResponse<Buffer>>> closing = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      closing.add(h.gateway.client.request(HttpMethod.POST, "/api/v1/mall/vendor/auctions/" + auction + "/close")
          .putHeader("X-Vendor-Key", v.apiKey).send());
    }
    Future.join(closing).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    for (var f : closing) assertEquals(200, f.result().statusCode(), f.result().bodyAsString());
    JsonObject settled = awaitStatus(auction, "SETTLED");
    assertEquals(top, settled.getLong("highBid"));

    assertEquals(TOKENS_EACH - top, account(winner).posted(), "the winner paid the highest bid once");
    for (MallHarness.Member m : bidders) {
      assertEquals(0, account(m).debitsPending(), "no reservation left behind for bidder " + m.login);
      if (m != winner) assertEquals(TOKENS_EACH, account(m).posted());
    }
    long taken = h.account("vendor:" + v.id + ":taken", v.pointType).orElseThrow().posted();
    assertEquals(before + top, taken, "the vendor took the winning bid once");
    assertEquals("auction_closed", other.bid(auction, top + 10, key()).bodyAsJsonObject().getString("error"));
    check(v.post("/api/v1/mall/vendor/auctions/" + auction + "/close", null), 200);
    assertEquals(before + top, h.account("vendor:" + v.id + ":taken", v.pointType).orElseThrow().posted(), "closing again settles nothing more");
    assertTrue(v.report().getBoolean("reconciled"));
  }

  @Test
  void anAuctionWithoutBidsClosesUnsoldByTheClock() throws Exception {
    long auction = open("Nobody wants this", 1_000_000, 60).getLong("id");
    h.clock.advance(Duration.ofSeconds(61));
    awaitStatus(auction, "UNSOLD");
  }

  @Test
  void aRepeatedBidIsTheSameBid() throws Exception {
    long auction = open("Replay lot", 5, 600).getLong("id");
    MallHarness.Member m = bidders.get(0);
    long pendingBefore = account(m).debitsPending();
    String k = key();
    check(m.bid(auction, 7, k), 200);
    check(m.bid(auction, 7, k), 200);
    assertEquals(pendingBefore + 7, account(m).debitsPending(), "held once");
    assertEquals("request_key_reused", m.bid(auction, 8, k).bodyAsJsonObject().getString("error"));
    check(bidders.get(1).bid(auction, 9, key()), 200);
    assertEquals(pendingBefore, account(m).debitsPending(), "outbid: released");
  }
}
