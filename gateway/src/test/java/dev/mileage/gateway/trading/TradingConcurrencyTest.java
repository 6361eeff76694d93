package dev.mileage.gateway.trading;

import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.Ledger;
import dev.mileage.points.trading.TradingDesk;
import io.vertx.core.buffer.Buffer;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.mileage.gateway.trading.TradingHarness.CYBER;
import static dev.mileage.gateway.trading.TradingHarness.MILEAGE;
import static dev.mileage.gateway.trading.TradingHarness.check;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Thousands of seeded random orders over HTTP from many members at once, on three books (one of them a
 * partner shop's points), with cancels and attempts on other members' orders mixed in. Afterwards every
 * member cancels what is left; for each point type the members' balances plus the fees collected equal what
 * was funded (no point created or lost), nothing is held, escrow is empty, and no attempt on another member's
 * order ever succeeded.
 */
class TradingConcurrencyTest {
  static final long SEED = 20261123L;
  static final int MEMBERS = 8;
  static final int COMMANDS = 2_000;
  static final int IN_FLIGHT = 24;
  static final Duration DEADLINE = Duration.ofMinutes(5);
  static final long CYBER_FUNDING = 5_000;
  static final long PARTNER_FUNDING = 4_000;

  @TempDir
  static Path dataDir;
  static TradingHarness h;

  @BeforeAll
  static void start() throws Exception {
    h = new TradingHarness(dataDir);
  }

  @AfterAll
  static void stop() {
    if (h != null) h.close();
  }

  static <T> T await(java.util.concurrent.CompletionStage<T> s) throws Exception {
    return s.toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /** Per type: the sum of every member's balance plus the desk's fee and escrow accounts. */
  static Map<Integer, long[]> totals(Ledger ledger, List<TradingHarness.Member> members, Set<Integer> types) throws Exception {
    Map<Integer, long[]> out = new HashMap<>(); // [members posted, members held, fees, escrow]
    for (int t : types) out.put(t, new long[4]);
    for (TradingHarness.Member m : members) {
      for (Account a : await(ledger.accountsOf("member:" + m.id))) {
        if (!types.contains(a.pointType())) continue;
        out.get(a.pointType())[0] += a.posted();
        out.get(a.pointType())[1] += a.debitsPending();
      }
    }
    for (Account a : await(ledger.accountsOf(TradingDesk.FEE_OWNER))) if (types.contains(a.pointType())) out.get(a.pointType())[2] += a.posted();
    for (Account a : await(ledger.accountsOf(TradingDesk.ESCROW_OWNER))) {
      if (types.contains(a.pointType())) out.get(a.pointType())[3] += a.posted() + a.creditsPending();
    }
    return out;
  }

  @Test
  void randomOrdersConservePointsAndNobodyReachesAnothersOrders() throws Exception {
    TradingHarness.Partner shop = h.partner("Load Shop", "PARTNER_LOAD", 1_000_000, null);
    List<TradingHarness.Member> members = new ArrayList<>();
    for (int i = 0; i < MEMBERS; i++) {
      TradingHarness.Member m = h.member("load" + i);
      h.fund(m, CYBER, CYBER_FUNDING);
      check(shop.issue("load-" + i, m.phone, PARTNER_FUNDING), 201);
      members.add(m);
    }
    int[] types = {MILEAGE, CYBER, shop.pointType};
    Ledger ledger = h.gateway.app.context().ledger();
    Map<Integer, long[]> before = totals(ledger, members, Set.of(MILEAGE, CYBER, shop.pointType));
    assertEquals(MEMBERS * TradingHarness.BONUS, before.get(MILEAGE)[0]);

    Map<Long, List<String>> openByMember = new ConcurrentHashMap<>();
    Map<Long, List<String>> everPlaced = new ConcurrentHashMap<>();
    for (TradingHarness.Member m : members) everPlaced.put(m.id, java.util.Collections.synchronizedList(new ArrayList<>()));
    AtomicInteger placed = new AtomicInteger();
    AtomicInteger fills = new AtomicInteger();
    AtomicInteger foreignTries = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(IN_FLIGHT);
    Instant deadline = Instant.now().plus(DEADLINE);
    List<Future<?>> work = new ArrayList<>();
    try {
      for (int i = 0; i < COMMANDS; i++) {
        long seed = SEED + i;
        work.add(pool.submit(() -> {
          if (Instant.now().isAfter(deadline)) return null;
          java.util.SplittableRandom r = new java.util.SplittableRandom(seed); // well mixed even for consecutive seeds
          TradingHarness.Member m = members.get(r.nextInt(MEMBERS));
          List<String> mine = openByMember.computeIfAbsent(m.id, k -> java.util.Collections.synchronizedList(new ArrayList<>()));
          int op = r.nextInt(100);
          if (op < 8 && !mine.isEmpty()) {
            String id = mine.remove(r.nextInt(Math.max(1, mine.size())) % Math.max(1, mine.size()));
            check(m.post("/api/v1/trading/orders/" + id + "/cancel", null), 200, 409);
          } else if (op < 15) {
            // another member's order, open or closed: it answers exactly like a missing one
            TradingHarness.Member other = members.get(r.nextInt(MEMBERS));
            List<String> theirs = everPlaced.get(other.id);
            String id;
            synchronized (theirs) {
              id = theirs.isEmpty() || other == m ? null : theirs.get(r.nextInt(theirs.size()));
            }
            if (id != null) {
              foreignTries.incrementAndGet();
              check(m.post("/api/v1/trading/orders/" + id + "/cancel", null), 404);
              check(m.get("/api/v1/trading/orders/" + id), 404);
            }
          } else {
            int sell = types[r.nextInt(types.length)];
            int buy = types[(java.util.Arrays.asList(MILEAGE, CYBER, shop.pointType).indexOf(sell) + 1 + r.nextInt(2)) % 3];
            long sellAmount = 1 + r.nextInt(200);
            long buyAmount = Math.max(1, sellAmount * (80 + r.nextInt(41)) / 100);
            HttpResponse<Buffer> resp = check(m.order(sell, sellAmount, buy, buyAmount), 201, 409, 503);
            if (resp.statusCode() == 201) {
              placed.incrementAndGet();
              JsonObject body = resp.bodyAsJsonObject();
              fills.addAndGet(body.getJsonArray("fills").size());
              String id = body.getJsonObject("order").getString("id");
              everPlaced.get(m.id).add(id);
              if (body.getString("result").equals("PLACED")) mine.add(id);
            }
          }
          return null;
        }));
      }
      for (Future<?> f : work) f.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
    }
    assertTrue(placed.get() > COMMANDS / 2, "most orders were placed: " + placed.get());
    assertTrue(fills.get() > 100, "the books crossed often: " + fills.get() + " fills");
    assertTrue(foreignTries.get() > 100, "other members' orders were tried: " + foreignTries.get());

    // close everything still open, each member their own
    for (TradingHarness.Member m : members) {
      for (Object o : check(m.get("/api/v1/trading/orders"), 200).bodyAsJsonArray()) {
        JsonObject order = (JsonObject) o;
        if (order.getString("status").equals("OPEN")) check(m.post("/api/v1/trading/orders/" + order.getString("id") + "/cancel", null), 200);
      }
    }
    Map<Integer, long[]> after = totals(ledger, members, Set.of(MILEAGE, CYBER, shop.pointType));
    for (int t : types) {
      long[] b = before.get(t);
      long[] a = after.get(t);
      assertEquals(b[0] + b[2], a[0] + a[2], "type " + t + ": members' points plus fees are conserved");
      assertTrue(a[2] > 0, "type " + t + ": fees were collected");
      assertEquals(0, a[1], "type " + t + ": nothing is left held");
      assertEquals(0, a[3], "type " + t + ": escrow is empty");
    }
    assertTrue(h.trading.desk().openOrders().isEmpty());
  }
}
