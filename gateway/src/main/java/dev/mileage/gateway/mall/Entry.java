package dev.mileage.gateway.mall;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;

/**
 * One journal row (table {@code mall.entry}): a business request of the mall and the figures it was settled
 * with. Amounts are fixed when the entry is made, so a resumed request moves exactly what the first try would.
 */
record Entry(long id, String kind, String requestKey, String status, long vendorId, Long tokenVendorId,
             Long otherVendorId, Long memberId, String sku, long tokens, long creditedTokens, long valueWon,
             long royaltyWon, long serviceChargeWon, long tollWon, long feeTokens, String reason,
             String paymentReference, java.time.Instant createdAt, String tokenKind) {
  static final String ISSUE = "ISSUE";
  static final String SALE = "SALE";
  static final String ALLOT = "ALLOT";
  static final String SPEND = "SPEND";
  static final String EXCHANGE = "EXCHANGE";
  static final String INFO_REQUEST = "INFO_REQUEST";
  static final String PENDING = "PENDING";
  static final String DONE = "DONE";
  static final String DECLINED = "DECLINED";

  Entry {
    Checks.requireKind(kind);
    if (!Vendor.TOKEN_KINDS.contains(tokenKind)) throw new IllegalArgumentException("unknown token kind " + tokenKind);
  }

  /** A draft to insert: id 0, status PENDING. */
  static Entry draft(String kind, String requestKey, long vendorId, Long tokenVendorId, Long otherVendorId, Long memberId,
                     String sku, long tokens) {
    return new Entry(0, kind, requestKey, PENDING, vendorId, tokenVendorId, otherVendorId, memberId, sku, tokens, 0, 0,
        0, 0, 0, 0, "", null, null, Vendor.STANDARD);
  }

  Entry withFigures(long tokens, long creditedTokens, long valueWon, long royaltyWon, long serviceChargeWon, long tollWon,
                    long feeTokens) {
    return new Entry(id, kind, requestKey, status, vendorId, tokenVendorId, otherVendorId, memberId, sku, tokens,
        creditedTokens, valueWon, royaltyWon, serviceChargeWon, tollWon, feeTokens, reason, paymentReference, createdAt, tokenKind);
  }

  Entry withReason(String why) {
    return new Entry(id, kind, requestKey, status, vendorId, tokenVendorId, otherVendorId, memberId, sku, tokens,
        creditedTokens, valueWon, royaltyWon, serviceChargeWon, tollWon, feeTokens, why, paymentReference, createdAt, tokenKind);
  }

  /** Which of the token vendor's tokens this entry moves (see {@link Vendor#tokenKind}). */
  Entry withTokenKind(String kind) {
    return new Entry(id, this.kind, requestKey, status, vendorId, tokenVendorId, otherVendorId, memberId, sku, tokens,
        creditedTokens, valueWon, royaltyWon, serviceChargeWon, tollWon, feeTokens, reason, paymentReference, createdAt, kind);
  }

  /** Whether a repeated request key asks for the same thing (figures computed later are not compared). */
  boolean sameRequest(Entry other) {
    return kind.equals(other.kind) && vendorId == other.vendorId && java.util.Objects.equals(tokenVendorId, other.tokenVendorId)
        && java.util.Objects.equals(otherVendorId, other.otherVendorId) && java.util.Objects.equals(memberId, other.memberId)
        && java.util.Objects.equals(sku, other.sku)
        && tokenKind.equals(other.tokenKind) && (tokens == other.tokens || kind.equals(SPEND));
  }

  static Entry of(Row r) {
    return new Entry(r.getLong("id"), r.getString("kind"), r.getString("request_key"), r.getString("status"),
        r.getLong("vendor_id"), r.getLong("token_vendor_id"), r.getLong("other_vendor_id"), r.getLong("member_id"),
        r.getString("sku"), r.getLong("tokens"), r.getLong("credited_tokens"), r.getLong("value_won"),
        r.getLong("royalty_won"), r.getLong("service_charge_won"), r.getLong("toll_won"), r.getLong("fee_tokens"),
        r.getString("reason"), r.getString("payment_reference"), r.getOffsetDateTime("created_at").toInstant(),
        r.getString("token_kind"));
  }

  JsonObject toJson() {
    return new JsonObject().put("id", id).put("kind", kind).put("status", status).put("vendorId", vendorId)
        .put("tokenVendorId", tokenVendorId).put("otherVendorId", otherVendorId).put("memberId", memberId)
        .put("sku", sku).put("tokens", tokens).put("creditedTokens", creditedTokens).put("valueWon", valueWon)
        .put("royaltyWon", royaltyWon).put("serviceChargeWon", serviceChargeWon).put("tollWon", tollWon)
        .put("feeTokens", feeTokens).put("reason", reason).put("tokenKind", tokenKind)
        .put("createdAt", createdAt == null ? null : createdAt.toString());
  }

  private static final class Checks {
    static void requireKind(String kind) {
      if (!java.util.Set.of(ISSUE, SALE, ALLOT, SPEND, EXCHANGE, INFO_REQUEST).contains(kind)) {
        throw new IllegalArgumentException("unknown entry kind " + kind);
      }
    }
  }
}
