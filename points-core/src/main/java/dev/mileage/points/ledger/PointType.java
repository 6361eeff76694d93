package dev.mileage.points.ledger;

import java.util.Objects;
import java.util.Set;

/**
 * A unit of value: every account and every transfer has exactly one. Transfers move points within one
 * type only; an exchange between types is a linked chain through the issuers' accounts.
 *
 * @param id                 stable id; the built-in types use {@link StandardPointTypes}
 * @param code               short unique name, e.g. {@code MILEAGE} or {@code TOKEN_ACME}
 * @param kind               what the points are
 * @param issuer             who issues them (the operator, a vendor, a partner shop)
 * @param cashMicrosPerUnit  the cash value of one point in millionths of the operator's currency unit
 *                           (fixed-point; 1 point = 1 won is 1_000_000)
 * @param allowedProducts    for restricted (manufacturer) tokens: the only products they may pay for;
 *                           empty means unrestricted
 */
public record PointType(int id, String code, PointKind kind, String issuer, long cashMicrosPerUnit,
                        Set<String> allowedProducts) {
  public static final int CODE_LENGTH_MAX = 32;

  public PointType {
    Checks.requirePositive(id, "id");
    Objects.requireNonNull(code, "code");
    if (!code.matches("[A-Z][A-Z0-9_]{0," + (CODE_LENGTH_MAX - 1) + "}")) {
      throw new IllegalArgumentException("code must be upper-case letters, digits and _, at most "
          + CODE_LENGTH_MAX + ": " + code);
    }
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(issuer, "issuer");
    Checks.requireNonNegative(cashMicrosPerUnit, "cashMicrosPerUnit");
    allowedProducts = Set.copyOf(allowedProducts == null ? Set.of() : allowedProducts);
  }

  public boolean restricted() {
    return !allowedProducts.isEmpty();
  }
}
