package dev.mileage.points.trading;

import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.Optional;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The price arithmetic: seeded random crossing orders never fill past either limit or past what is left. */
class MatchingTest {
  @Test
  void fillsRespectBothLimitsExactly() {
    Random random = new Random(7);
    int filled = 0;
    for (int i = 0; i < 200_000; i++) {
      long tSell = 1 + random.nextInt(random.nextBoolean() ? 10 : 1_000_000);
      long tBuy = 1 + random.nextInt(random.nextBoolean() ? 10 : 1_000_000);
      long mSell = 1 + random.nextInt(random.nextBoolean() ? 10 : 1_000_000);
      long mBuy = 1 + random.nextInt(random.nextBoolean() ? 10 : 1_000_000);
      if (!Matching.crosses(tSell, tBuy, mSell, mBuy)) continue;
      long tLeft = 1 + (long) (random.nextDouble() * tSell);
      long mLeft = 1 + (long) (random.nextDouble() * mSell);
      Optional<Matching.Fill> fill = Matching.fill(tSell, tBuy, Math.min(tLeft, tSell), mSell, mBuy, Math.min(mLeft, mSell));
      if (fill.isEmpty()) continue;
      filled++;
      long y = fill.get().makerGives();
      long x = fill.get().takerGives();
      assertTrue(x <= Math.min(tLeft, tSell) && y <= Math.min(mLeft, mSell));
      // maker: x / y >= mBuy / mSell ; taker: y / x >= tBuy / tSell
      assertTrue(big(x).multiply(big(mSell)).compareTo(big(y).multiply(big(mBuy))) >= 0, "maker limit");
      assertTrue(big(y).multiply(big(tSell)).compareTo(big(x).multiply(big(tBuy))) >= 0, "taker limit");
    }
    assertTrue(filled > 10_000, "the property was exercised: " + filled);
  }

  @Test
  void tradesAtTheMakersPriceAndRoundsFeesUp() {
    Matching.Fill f = Matching.fill(300, 100, 300, 100, 150, 100).orElseThrow(); // taker pays up to 3, maker asks 1.5
    assertEquals(100, f.makerGives());
    assertEquals(150, f.takerGives());
    assertEquals(1, Matching.feeOf(1, 1));
    assertEquals(0, Matching.feeOf(100, 0));
    assertEquals(5, Matching.feeOf(1_000, 50));
    assertEquals(6, Matching.feeOf(1_001, 50));
    assertEquals(new Matching.Fill(2, 1), Matching.fill(2, 3, 2, 2, 1, 2).orElseThrow());
    // Prices equal at 5/7; 3 X would buy 4 Y but the maker's rounded-up 3 X for 4 Y breaks the taker's
    // limit (4/3 < 14/10), and no exact multiple of 7 Y fits: no trade rather than a trade past a limit.
    assertTrue(Matching.crosses(10, 14, 7, 5));
    assertTrue(Matching.fill(10, 14, 3, 7, 5, 7).isEmpty());
    assertEquals(new Matching.Fill(7, 5), Matching.fill(10, 14, 10, 7, 5, 7).orElseThrow());
  }

  private static BigInteger big(long v) {
    return BigInteger.valueOf(v);
  }
}
