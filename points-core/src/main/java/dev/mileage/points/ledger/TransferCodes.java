package dev.mileage.points.ledger;

/**
 * Business codes carried by transfers, so a history can say why points moved. Features add theirs
 * here, in their own range, so that codes stay unique across the product.
 */
public final class TransferCodes {
  public static final int UNSPECIFIED = 0;
  // ledger 1..99
  public static final int OPERATOR_ADJUSTMENT = 1;
  public static final int EXCHANGE = 2;
  public static final int EXCHANGE_FEE = 3;
  public static final int EXPIRED = 4;
  // metering 100..199
  public static final int CALL_CHARGE = 100;
  public static final int STREAM_CHARGE = 101;
  // shop 200..299
  public static final int SIGN_UP_BONUS = 200;
  public static final int ORDER_MILEAGE = 201;
  public static final int ORDER_MILEAGE_REVERSAL = 202;
  public static final int ORDER_PAID_WITH_POINTS = 203;
  public static final int ORDER_POINTS_REFUND = 204;
  // trading 400..499
  public static final int TRADE_HOLD = 400;
  public static final int TRADE_FILL = 401;
  public static final int TRADE_FEE = 402;
  public static final int TRADE_RELEASE = 403;
  public static final int MEMBER_TRANSFER = 404;
  public static final int PARTNER_ISSUE = 405;
  public static final int PARTNER_PORTFOLIO_SYNC = 406;
  public static final int POINTS_BOUGHT = 407;
  public static final int CASH_OUT = 408;
  public static final int CASH_OUT_RELEASE = 409;
  // token mall 500..599
  public static final int TOKEN_ISSUE = 500;
  public static final int TOKEN_SALE = 501;
  public static final int TOKEN_ALLOT = 502;
  public static final int TOKEN_SPEND = 503;
  public static final int TOKEN_REIMBURSEMENT = 504;
  public static final int TOKEN_ROYALTY = 505;
  public static final int TOKEN_TOLL = 506;
  public static final int TOKEN_SERVICE_CHARGE = 507;
  public static final int TOKEN_BID_HOLD = 508;
  public static final int TOKEN_AUCTION_SETTLE = 509;
  public static final int TOKEN_BID_RELEASE = 510;
  // gift certificates 600..699
  public static final int CERTIFICATE_ISSUE = 600;
  public static final int CERTIFICATE_REDEEM = 601;
  public static final int PHONE_BILL_CREDIT_LINE = 602;
  public static final int PHONE_BILL_CHARGE = 603;

  private TransferCodes() {
  }
}
