package dev.mileage.gateway.ledger;

/**
 * Event-bus addresses of the ledger, all in one place. Requests and replies are JSON objects in the
 * shapes of {@link LedgerJson}; a malformed request fails with code 400, a missing account or transfer
 * replies {@code {"found": false}}, a store failure fails with code 500 (retry with the same ids).
 */
public final class LedgerAddresses {
  /** {@code {"transfers": [transfer...]}} → {@code {"results": ["OK", "EXISTS", ...]}} in order. */
  public static final String SUBMIT = "ledger.submit";
  /** {@code {"owner", "pointType", "flags": [..]}} → account. */
  public static final String OPEN_ACCOUNT = "ledger.account.open";
  /** {@code {"accountId"}} → {@code {"found", "account"}}. */
  public static final String ACCOUNT = "ledger.account";
  /** {@code {"owner", "pointType"}} → {@code {"found", "account"}}. */
  public static final String ACCOUNT_OF = "ledger.account.of";
  /** {@code {"owner"}} → {@code {"accounts": [..]}}. */
  public static final String ACCOUNTS_OF = "ledger.accounts.of";
  /** {@code {"id"}} → {@code {"found", "transfer"}}. */
  public static final String TRANSFER = "ledger.transfer";
  /** {@code {"accountId", "before"?, "limit"?}} → {@code {"transfers": [..], "next"}}. */
  public static final String HISTORY = "ledger.history";
  /** {@code {}} → {@code {"pointTypes": [..]}}. */
  public static final String POINT_TYPES = "ledger.point-types";

  public static final int FAILURE_BAD_REQUEST = 400;
  public static final int FAILURE_STORE = 500;

  private LedgerAddresses() {
  }
}
