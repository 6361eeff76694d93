package dev.mileage.gateway.trading;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static dev.mileage.gateway.trading.TradingHarness.BONUS;
import static dev.mileage.gateway.trading.TradingHarness.CYBER;
import static dev.mileage.gateway.trading.TradingHarness.MILEAGE;
import static dev.mileage.gateway.trading.TradingHarness.check;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** A gateway stopped and started on the same data keeps its open orders on the book, held once, fillable. */
class BookRestartTest {
  @TempDir
  Path dataDir;

  @Test
  void openOrdersSurviveARestartAndStillFill() throws Exception {
    TradingHarness.Member alice;
    TradingHarness.Member bob;
    String orderId;
    try (TradingHarness first = new TradingHarness(dataDir)) {
      alice = first.member("alice");
      bob = first.member("bob");
      first.fund(bob, CYBER, 1_000);
      orderId = check(alice.order(MILEAGE, 1_000, CYBER, 500), 201).bodyAsJsonObject().getJsonObject("order").getString("id");
      check(bob.order(CYBER, 100, MILEAGE, 200), 201); // a part fill before the restart
      assertEquals(BONUS - 1_000, alice.balance(MILEAGE));
    }
    try (TradingHarness second = new TradingHarness(dataDir)) {
      TradingHarness.Member a = second.again(alice);
      TradingHarness.Member b = second.again(bob);
      JsonObject order = check(a.get("/api/v1/trading/orders/" + orderId), 200).bodyAsJsonObject();
      assertEquals("OPEN", order.getString("status"));
      assertEquals(800, order.getLong("remaining"));
      assertEquals(BONUS - 1_000, a.balance(MILEAGE), "the remainder is held once, not twice nor released");
      assertEquals(1, check(b.get("/api/v1/trading/book?base=" + MILEAGE + "&quote=" + CYBER), 200).bodyAsJsonObject()
          .getJsonArray("sellingBase").size());
      assertEquals("FILLED", check(b.order(CYBER, 400, MILEAGE, 800), 201).bodyAsJsonObject().getString("result"));
      assertEquals("FILLED", check(a.get("/api/v1/trading/orders/" + orderId), 200).bodyAsJsonObject().getString("status"));
      long fee = 50; // 0.5% of what each side receives, rounded up
      assertEquals(BONUS + 1_000 - (200 * fee + 9_999) / 10_000 - (800 * fee + 9_999) / 10_000, b.balance(MILEAGE));
      assertEquals(BONUS - 1_000, a.balance(MILEAGE));
    }
  }
}
