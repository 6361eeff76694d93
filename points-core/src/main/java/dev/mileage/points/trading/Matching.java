package dev.mileage.points.trading;

import dev.mileage.points.ledger.Checks;

import java.math.BigInteger;
import java.util.Optional;

/**
 * The exact price arithmetic of the book. A limit order offers {@code sell} points of one type for at
 * least {@code buy} points of the other: its limit price is the rational {@code buy/sell} (what it wants
 * per point it gives). No floating point anywhere: prices are compared by cross multiplication in
 * {@link BigInteger}.
 *
 * <p>A fill trades at the resting (maker) order's price. Rounding: the maker receives the taker's
 * points rounded UP ({@code ceil(y * buyM / sellM)}), so the maker never gets less than its limit. If
 * that rounding would take the taker beyond its own limit, the fill shrinks to the largest size at which
 * the maker's price is exact (a multiple of the price's reduced denominator); if none exists, the orders
 * do not trade. Neither side is ever filled beyond its limit.
 */
public final class Matching {
  private Matching() {
  }

  /**
   * A fill of a maker (selling Y for X) by a taker (selling X for Y).
   *
   * @param makerGives points of Y from the maker to the taker
   * @param takerGives points of X from the taker to the maker
   */
  public record Fill(long makerGives, long takerGives) {
    public Fill {
      Checks.requirePositive(makerGives, "makerGives");
      Checks.requirePositive(takerGives, "takerGives");
    }
  }

  /** True when the maker's price (X wanted per Y) is at most what the taker pays (X offered per Y). */
  public static boolean crosses(long takerSell, long takerBuy, long makerSell, long makerBuy) {
    return big(makerBuy).multiply(big(takerBuy)).compareTo(big(takerSell).multiply(big(makerSell))) <= 0;
  }

  /** Orders a and b of the same side: negative when a's price is better for a taker (wants less per point). */
  public static int comparePrice(long sellA, long buyA, long sellB, long buyB) {
    return big(buyA).multiply(big(sellB)).compareTo(big(buyB).multiply(big(sellA)));
  }

  /**
   * The fill between a taker and a maker whose prices cross; empty when no whole-point fill respects both
   * limits.
   *
   * @param takerRemaining points of X the taker still offers
   * @param makerRemaining points of Y the maker still offers
   */
  public static Optional<Fill> fill(long takerSell, long takerBuy, long takerRemaining,
                                    long makerSell, long makerBuy, long makerRemaining) {
    Checks.invariant(crosses(takerSell, takerBuy, makerSell, makerBuy), "fill of orders that do not cross");
    BigInteger n = big(makerBuy);
    BigInteger d = big(makerSell);
    // The most Y the taker's remaining X buys at the maker's price.
    long y = Math.min(makerRemaining, big(takerRemaining).multiply(d).divide(n).longValueExact());
    if (y <= 0) return Optional.empty();
    long x = ceilDiv(big(y).multiply(n), d);
    if (big(y).multiply(big(takerSell)).compareTo(big(x).multiply(big(takerBuy))) < 0) {
      // Rounding x up would break the taker's limit: trade at the exact price instead.
      BigInteger gcd = n.gcd(d);
      BigInteger dReduced = d.divide(gcd);
      y = big(y).divide(dReduced).multiply(dReduced).longValueExact();
      if (y <= 0) return Optional.empty();
      x = big(y).multiply(n).divide(d).longValueExact();
    }
    Checks.invariant(x <= takerRemaining && y <= makerRemaining, "fill beyond remaining", x + "/" + y);
    Checks.invariant(big(x).multiply(d).compareTo(big(y).multiply(n)) >= 0, "maker below its limit", x + "/" + y);
    Checks.invariant(big(y).multiply(big(takerSell)).compareTo(big(x).multiply(big(takerBuy))) >= 0,
        "taker beyond its limit", x + "/" + y);
    return Optional.of(new Fill(y, x));
  }

  /** The fee on {@code amount} at {@code basisPoints}, rounded up (never in the member's favour). */
  public static long feeOf(long amount, int basisPoints) {
    return ceilDiv(big(amount).multiply(big(basisPoints)), big(10_000));
  }

  private static long ceilDiv(BigInteger a, BigInteger b) {
    BigInteger[] qr = a.divideAndRemainder(b);
    return qr[0].longValueExact() + (qr[1].signum() > 0 ? 1 : 0);
  }

  private static BigInteger big(long v) {
    return BigInteger.valueOf(v);
  }
}
