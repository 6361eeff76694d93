package dev.mileage.gateway.mall;

import java.time.Duration;

/**
 * Settings of the token mall, with defaults.
 *
 * @param royaltyBasisPoints       the mall's royalty on a cross-vendor sale, charged to the vendor where the
 *                                 tokens were spent, as a share of the tokens' value (100 = 1%)
 * @param serviceChargeBasisPoints deducted from the tokens given in at each exchange between vendors
 * @param tollWon                  charged to a vendor for each customer-information request and each
 *                                 reimbursement it pays another vendor
 * @param auctionSweepInterval     how often auctions due on the clock are closed and settled
 * @param settlementInterval       how often the settlement schedule looks for reimbursements due (real time; what is
 *                                 due is decided on the mall's clock)
 * @param settlementDelay          how long a reimbursement stays OWED (on the mall's clock) before the schedule pays it
 */
public record MallOptions(int royaltyBasisPoints, int serviceChargeBasisPoints, long tollWon,
                          Duration auctionSweepInterval, Duration settlementInterval, Duration settlementDelay) {
  public static final int BASIS_POINTS_MAX = 10_000;
  public static final long TOKENS_PER_REQUEST_MAX = 1_000_000;
  public static final long RATE_WON_MAX = 1_000_000;
  public static final int VENDORS_MAX = 500;
  public static final int PRODUCTS_PER_VENDOR_MAX = 1_000;
  public static final int OPEN_AUCTIONS_PER_VENDOR_MAX = 100;
  public static final int ALLOWED_PRODUCTS_MAX = 200;
  /** Applications one caller may have waiting for approval: nobody fills the mall with junk vendors. */
  public static final int PENDING_APPLICATIONS_PER_APPLICANT_MAX = 3;
  /** Bids one member may place on one auction. */
  public static final int BIDS_PER_MEMBER_PER_AUCTION_MAX = 100;
  /** Owed reimbursements paid in one settlement call at most; call again for the rest. */
  public static final int SETTLEMENT_BATCH_MAX = 200;
  /** Reimbursements one run of the settlement schedule looks at, at most (paid or found not covered). */
  public static final int SETTLEMENT_RUN_MAX = 1_000;
  /** Payers one run of the settlement schedule settles, at most (oldest debt first). */
  public static final int SETTLEMENT_PAYERS_PER_RUN_MAX = 100;
  public static final Duration SETTLEMENT_INTERVAL_DEFAULT = Duration.ofMinutes(1);
  public static final Duration SETTLEMENT_DELAY_DEFAULT = Duration.ofDays(1);
  public static final int KEY_LENGTH_MAX = 64;
  public static final int NAME_LENGTH_MAX = 100;
  public static final int HISTORY_ROWS_MAX = 200;
  public static final int LIMITER_KEYS_MAX = 100_000;
  /** Wrong vendor keys per source address in one window before the source gets 429. */
  public static final int KEY_FAILURES_PER_SOURCE_MAX = 20;
  public static final Duration KEY_FAILURE_WINDOW = Duration.ofMinutes(15);
  /** A member's online token purchase holds the vendor's tokens this long while the card is charged. */
  public static final int SALE_HOLD_SECONDS = 600;
  /** Bids are held until the auction closes plus this margin; the ledger releases them if all else fails. */
  public static final Duration BID_HOLD_MARGIN = Duration.ofDays(1);
  public static final Duration AUCTION_LENGTH_MAX = Duration.ofDays(30);

  public MallOptions {
    if (royaltyBasisPoints < 0 || royaltyBasisPoints >= BASIS_POINTS_MAX) {
      throw new IllegalArgumentException("royaltyBasisPoints must be 0.." + (BASIS_POINTS_MAX - 1));
    }
    if (serviceChargeBasisPoints < 0 || serviceChargeBasisPoints >= BASIS_POINTS_MAX) {
      throw new IllegalArgumentException("serviceChargeBasisPoints must be 0.." + (BASIS_POINTS_MAX - 1));
    }
    if (tollWon < 0) throw new IllegalArgumentException("tollWon must not be negative");
    if (auctionSweepInterval == null || auctionSweepInterval.isNegative() || auctionSweepInterval.isZero()) {
      throw new IllegalArgumentException("auctionSweepInterval must be positive");
    }
    if (settlementInterval == null || settlementInterval.isNegative() || settlementInterval.isZero()) {
      throw new IllegalArgumentException("settlementInterval must be positive");
    }
    if (settlementDelay == null || settlementDelay.isNegative()) throw new IllegalArgumentException("settlementDelay must not be negative");
  }

  /** With the default settlement schedule. */
  public MallOptions(int royaltyBasisPoints, int serviceChargeBasisPoints, long tollWon, Duration auctionSweepInterval) {
    this(royaltyBasisPoints, serviceChargeBasisPoints, tollWon, auctionSweepInterval, SETTLEMENT_INTERVAL_DEFAULT,
        SETTLEMENT_DELAY_DEFAULT);
  }

  public MallOptions withSettlement(Duration interval, Duration delay) {
    return new MallOptions(royaltyBasisPoints, serviceChargeBasisPoints, tollWon, auctionSweepInterval, interval, delay);
  }

  public static MallOptions defaults() {
    return new MallOptions(300, 200, 50, Duration.ofSeconds(1));
  }

  /** How often the settlement schedule runs, from the environment (ISO-8601 duration, e.g. {@code PT5M}). */
  public static final String SETTLEMENT_INTERVAL_ENV = "MILEAGE_MALL_SETTLEMENT_INTERVAL";
  /** How long a reimbursement stays OWED before the schedule pays it (ISO-8601 duration, e.g. {@code P2D}). */
  public static final String SETTLEMENT_DELAY_ENV = "MILEAGE_MALL_SETTLEMENT_DELAY";
  public static final Duration SETTLEMENT_INTERVAL_MIN = Duration.ofSeconds(1);
  public static final Duration SETTLEMENT_INTERVAL_MAX = Duration.ofDays(1);
  public static final Duration SETTLEMENT_DELAY_MAX = Duration.ofDays(90);

  /**
   * {@link #defaults()} with the settlement schedule from {@code environment}: unset or blank keeps a default; a
   * value that is not an ISO-8601 duration, or is out of bounds (interval 1 s to 1 day, delay 0 to 90 days), is
   * refused with the variable's name, so a gateway never starts on a schedule nobody meant.
   */
  public static MallOptions fromEnvironment(java.util.Map<String, String> environment) {
    Duration interval = duration(environment, SETTLEMENT_INTERVAL_ENV, SETTLEMENT_INTERVAL_DEFAULT, SETTLEMENT_INTERVAL_MIN,
        SETTLEMENT_INTERVAL_MAX);
    Duration delay = duration(environment, SETTLEMENT_DELAY_ENV, SETTLEMENT_DELAY_DEFAULT, Duration.ZERO, SETTLEMENT_DELAY_MAX);
    return defaults().withSettlement(interval, delay);
  }

  private static Duration duration(java.util.Map<String, String> environment, String name, Duration fallback, Duration min,
                                   Duration max) {
    String value = environment.get(name);
    if (value == null || value.isBlank()) return fallback;
    Duration d;
    try {
      d = Duration.parse(value.strip());
    } catch (java.time.format.DateTimeParseException e) {
      throw new IllegalArgumentException(name + " must be an ISO-8601 duration such as PT5M or P1D, not " + value.strip(), e);
    }
    if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
      throw new IllegalArgumentException(name + " must be from " + min + " to " + max + ", not " + d);
    }
    return d;
  }
}
