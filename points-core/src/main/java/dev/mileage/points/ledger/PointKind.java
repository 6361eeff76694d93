package dev.mileage.points.ledger;

/** The kinds of value the ledger carries. Vendor tokens have one point type per issuing vendor. */
public enum PointKind {
  MILEAGE,
  CYBER_MONEY,
  PURCHASE_POINTS,
  AD_CLICK_POINTS,
  THANK_YOU_COUPON,
  VENDOR_TOKEN,
  GIFT_CERTIFICATE,
  CASH,
  /** What members owe on their phone bill (gift certificates bought "on the phone bill"). */
  PHONE_BILL
}
