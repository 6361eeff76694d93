package dev.mileage.points.ledger;

import java.util.List;

/**
 * The point types every installation has, created by the ledger's first migration. Vendor tokens and
 * other types defined at run time get ids from {@link #FIRST_DYNAMIC_ID} up.
 */
public final class StandardPointTypes {
  public static final int MILEAGE = 1;
  public static final int CYBER_MONEY = 2;
  public static final int PURCHASE_POINTS = 3;
  public static final int AD_CLICK_POINTS = 4;
  public static final int THANK_YOU_COUPON = 5;
  public static final int GIFT_CERTIFICATE = 6;
  public static final int CASH = 7;
  public static final int PHONE_BILL = 8;
  public static final int FIRST_DYNAMIC_ID = 100;

  public static final String OPERATOR = "operator";

  /** Values as seeded: one point of each loyalty kind is worth one currency unit, cash is cash. */
  public static final List<PointType> ALL = List.of(
      new PointType(MILEAGE, "MILEAGE", PointKind.MILEAGE, OPERATOR, 1_000_000, null),
      new PointType(CYBER_MONEY, "CYBER_MONEY", PointKind.CYBER_MONEY, OPERATOR, 1_000_000, null),
      new PointType(PURCHASE_POINTS, "PURCHASE_POINTS", PointKind.PURCHASE_POINTS, OPERATOR, 1_000_000, null),
      new PointType(AD_CLICK_POINTS, "AD_CLICK_POINTS", PointKind.AD_CLICK_POINTS, OPERATOR, 1_000_000, null),
      new PointType(THANK_YOU_COUPON, "THANK_YOU_COUPON", PointKind.THANK_YOU_COUPON, OPERATOR, 1_000_000, null),
      new PointType(GIFT_CERTIFICATE, "GIFT_CERTIFICATE", PointKind.GIFT_CERTIFICATE, OPERATOR, 1_000_000, null),
      new PointType(CASH, "CASH", PointKind.CASH, OPERATOR, 1_000_000, null),
      new PointType(PHONE_BILL, "PHONE_BILL", PointKind.PHONE_BILL, OPERATOR, 1_000_000, null));

  private StandardPointTypes() {
  }
}
