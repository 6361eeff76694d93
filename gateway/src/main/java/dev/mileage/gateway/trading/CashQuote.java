package dev.mileage.gateway.trading;

import io.vertx.core.json.JsonObject;

import java.math.BigInteger;

/**
 * The won side of buying or cashing out {@code points} at {@code cashMicrosPerUnit}: buying pays the value
 * rounded up; cashing out gets the value rounded down less a fee rounded up, so the operator never pays
 * a fraction of a won it did not receive.
 */
record CashQuote(CashQuote.Kind kind, int pointType, long points, long cashMicrosPerUnit, long grossWon, long feeWon,
                 long netWon, int feeBasisPoints) {
  enum Kind { BUY, CASH_OUT }

  private static final BigInteger MICROS = BigInteger.valueOf(1_000_000);

  CashQuote {
    if (points <= 0 || cashMicrosPerUnit < 0 || grossWon < 0 || feeWon < 0 || netWon < 0) {
      throw new IllegalArgumentException("negative quote");
    }
  }

  static CashQuote of(Kind kind, int pointType, long points, long cashMicrosPerUnit, int feeBasisPoints) {
    BigInteger value = BigInteger.valueOf(points).multiply(BigInteger.valueOf(cashMicrosPerUnit));
    BigInteger[] qr = value.divideAndRemainder(MICROS);
    BigInteger gross = kind == Kind.BUY && qr[1].signum() > 0 ? qr[0].add(BigInteger.ONE) : qr[0];
    BigInteger fee = gross.multiply(BigInteger.valueOf(feeBasisPoints)).add(BigInteger.valueOf(9_999))
        .divide(BigInteger.valueOf(10_000));
    BigInteger net = kind == Kind.BUY ? gross.add(fee) : gross.subtract(fee).max(BigInteger.ZERO);
    BigInteger cap = BigInteger.valueOf(Long.MAX_VALUE / 4);
    if (gross.compareTo(cap) > 0) throw new IllegalArgumentException("points too many for one request");
    return new CashQuote(kind, pointType, points, cashMicrosPerUnit, gross.longValueExact(), fee.longValueExact(),
        net.longValueExact(), feeBasisPoints);
  }

  JsonObject json() {
    return new JsonObject().put("kind", kind.name()).put("pointType", pointType).put("points", points)
        .put("cashMicrosPerUnit", cashMicrosPerUnit).put("grossWon", grossWon).put("feeWon", feeWon)
        .put("netWon", netWon).put("feeBasisPoints", feeBasisPoints);
  }
}
