package dev.mileage.gateway.mall;

import dev.mileage.gateway.members.GuessLimiter;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.security.SecureRandom;
import java.time.Duration;

/**
 * Paying with tokens at a vendor's point of sale. The member makes a one-time pay code in the wallet (100
 * random bits, Crockford base 32, shown as text the POS scans or types), good for one sale at one vendor with
 * one vendor's tokens for {@link #VALIDITY}; the POS, authenticated with the vendor key, spends it on a
 * product of its catalog. Only a SHA-256 of the code is stored. An unknown, expired or foreign code gets one
 * answer; failures count per vendor, and past the limit the vendor waits (429). The POS's request key makes
 * the sale idempotent: a repeat answers the same sale.
 */
final class PayCodes {
  static final Duration VALIDITY = Duration.ofMinutes(5);
  static final int CODE_SYMBOLS = 20;
  static final int CODES_PER_MEMBER_LIVE_MAX = 5;
  private static final char[] ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();

  enum Used { SALE, INVALID, THROTTLED }

  private final Journal journal;
  private final Spending spending;
  private final Vendors vendors;
  private final GuessLimiter failures;
  private final SecureRandom random = new SecureRandom();

  PayCodes(Journal journal, Spending spending, Vendors vendors, GuessLimiter failures) {
    this.journal = journal;
    this.spending = spending;
    this.vendors = vendors;
    this.failures = failures;
  }

  static String normalise(String code) {
    return code.toUpperCase(java.util.Locale.ROOT).replaceAll("[\\s-]", "").replace('O', '0').replace('I', '1').replace('L', '1');
  }

  /** A new code for the member (null when too many are live), paying with the tokens {@code tokenVendor} is seen through. */
  Future<JsonObject> create(long memberId, Vendor at, Vendor tokenVendor) {
    StringBuilder code = new StringBuilder(CODE_SYMBOLS);
    for (int i = 0; i < CODE_SYMBOLS; i++) code.append(ALPHABET[random.nextInt(ALPHABET.length)]);
    var expires = journal.now().plus(VALIDITY);
    return journal.pool().preparedQuery("SELECT count(*) FROM mall.pay_code WHERE member_id = $1 AND expires_at > $2"
            + " AND used_request_key IS NULL").execute(Tuple.of(memberId, journal.now())).compose(c -> {
          if (c.iterator().next().getLong(0) >= CODES_PER_MEMBER_LIVE_MAX) return Future.succeededFuture(null);
          return journal.pool().preparedQuery("INSERT INTO mall.pay_code (code_digest, member_id, vendor_id, token_vendor_id,"
                  + " expires_at, created_at, token_kind) VALUES ($1, $2, $3, $4, $5, $6, $7)")
              .execute(Tuple.of(Buffer.buffer(Vendors.digest(code.toString())), memberId, at.id(), tokenVendor.id(), expires,
                  journal.now(), tokenVendor.tokenKind()))
              .map(x -> new JsonObject().put("code", code.toString()).put("vendorId", at.id())
                  .put("tokenVendorId", tokenVendor.id()).put("tokenKind", tokenVendor.tokenKind()).put("expiresAt", expires.toInstant().toString()));
        });
  }

  /** The POS of {@code at} sells {@code sku} for the tokens behind {@code code}. */
  Future<Outcome.Result> sell(Vendor at, String code, String sku, String requestKey, String source) {
    String limiterKey = "pay-code:" + at.id() + ":" + source;
    long wait = failures.retryAfterSeconds(limiterKey);
    if (wait > 0) {
      return Future.succeededFuture(Outcome.TOO_MANY.with(new JsonObject().put("error", "too_many_attempts")
          .put("reason", "too many invalid pay codes; try again later").put("retryAfterSeconds", wait)));
    }
    String saleKey = "pos:" + at.id() + ":" + requestKey;
    Buffer digest = Buffer.buffer(Vendors.digest(normalise(code)));
    // claim the code for this sale (or find it already claimed by this very sale: a repeat)
    return journal.pool().preparedQuery("UPDATE mall.pay_code SET used_request_key = $3 WHERE code_digest = $1 AND vendor_id = $2"
            + " AND ((used_request_key IS NULL AND expires_at > $4) OR used_request_key = $3) RETURNING member_id, token_vendor_id, token_kind")
        .execute(Tuple.of(digest, at.id(), saleKey, journal.now())).compose(rows -> {
          if (rows.size() == 0) {
            failures.recordFailure(limiterKey);
            return Future.succeededFuture(Outcome.INVALID_PAY_CODE.error());
          }
          Row r = rows.iterator().next();
          long member = r.getLong("member_id");
          return vendors.find(r.getLong("token_vendor_id")).compose(t -> vendors.token(t, r.getString("token_kind")))
              .compose(tokenVendor -> spending.spend(member, at, tokenVendor, sku, saleKey))
              .compose(result -> result.outcome() == Outcome.DONE ? Future.succeededFuture(result)
                  // nothing was sold: the member may use the code again (e.g. after topping up)
                  : journal.pool().preparedQuery("UPDATE mall.pay_code SET used_request_key = NULL WHERE code_digest = $1"
                      + " AND used_request_key = $2").execute(Tuple.of(digest, saleKey)).map(result));
        });
  }
}
