package dev.mileage.gateway.trading;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static dev.mileage.gateway.trading.TradingHarness.BONUS;
import static dev.mileage.gateway.trading.TradingHarness.MILEAGE;
import static dev.mileage.gateway.trading.TradingHarness.check;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Gifts by phone number answer 404 for a number no member has, so each miss tells a guesser something. The
 * per-member allowance alone does not bound that: a client signs up as many members as it likes. Misses are also
 * counted per source address, whichever member they come from.
 */
class PhoneLookupLimitTest {
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

  @Test
  void freshAccountsFromOneSourceDoNotGetFreshAllowances() throws Exception {
    TradingHarness.Member target = h.member("target");
    int members = TradingFeature.PHONE_MISSES_PER_SOURCE_MAX / TradingFeature.PHONE_MISSES_MAX;
    int guess = 0;
    TradingHarness.Member last = null;
    for (int m = 0; m < members; m++) {
      last = h.member("prober" + m);
      for (int i = 0; i < TradingFeature.PHONE_MISSES_MAX; i++, guess++) {
        check(last.post("/api/v1/trading/transfers", gift("+8210777" + String.format("%05d", guess), "g" + guess)), 404);
      }
    }
    // another new member from the same address: its first lookup is refused before the number is looked up,
    // so a hit and a miss look the same (429), and nothing moves
    TradingHarness.Member next = h.member("prober-next");
    var refused = check(next.post("/api/v1/trading/transfers", gift(target.phone, "hit")), 429);
    assertEquals("too_many_attempts", refused.bodyAsJsonObject().getString("error"));
    check(next.post("/api/v1/trading/transfers", gift("+821077799999", "miss")), 429);
    assertEquals(BONUS, next.balance(MILEAGE));
    assertEquals(BONUS, target.balance(MILEAGE));
  }

  private static JsonObject gift(String phone, String key) {
    return new JsonObject().put("phone", phone).put("pointType", MILEAGE).put("amount", 10).put("transferKey", key);
  }
}
