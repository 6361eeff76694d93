package dev.mileage.gateway.mall;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A vendor of the mall as stored, seen through one of its tokens: {@code pointType} and {@code tokenKind} say
 * which. As read from {@code mall.vendor} it is the vendor's own token (STANDARD for a shop, MANUFACTURER for a
 * manufacturer; {@code pointType} 0 until the operator approves it); {@link #withToken} gives the same vendor
 * seen through its GIFT_CERTIFICATE or AUCTION token (table {@code mall.token}), so issuance, allotment,
 * spending and auctions move that token with the code they already have.
 */
record Vendor(long id, String name, String kind, String tokenCode, long rateWon, List<String> allowedProducts,
              String status, int pointType, String tokenKind) {
  static final String SHOP = "SHOP";
  static final String MANUFACTURER = "MANUFACTURER";
  static final String APPROVED = "APPROVED";
  /** Token kinds. */
  static final String STANDARD = "STANDARD";
  static final String GIFT_CERTIFICATE = "GIFT_CERTIFICATE";
  static final String AUCTION = "AUCTION";
  static final List<String> TOKEN_KINDS = List.of(STANDARD, MANUFACTURER, GIFT_CERTIFICATE, AUCTION);
  /** The kinds the operator adds to a vendor as extra tokens. */
  static final List<String> EXTRA_TOKEN_KINDS = List.of(GIFT_CERTIFICATE, AUCTION);

  Vendor {
    Objects.requireNonNull(name, "name");
    allowedProducts = List.copyOf(allowedProducts);
    if (!TOKEN_KINDS.contains(tokenKind)) throw new IllegalArgumentException("unknown token kind " + tokenKind);
  }

  /** The same vendor seen through its extra token of {@code extraKind}, point type {@code type}. */
  Vendor withToken(String extraKind, int type) {
    if (!EXTRA_TOKEN_KINDS.contains(extraKind)) throw new IllegalArgumentException("not an extra token kind: " + extraKind);
    return new Vendor(id, name, kind, tokenCode, rateWon, List.of(), status, type, extraKind);
  }

  /** Whether this token is the vendor's own (STANDARD or MANUFACTURER), not an extra one. */
  boolean ownToken() {
    return tokenKind.equals(STANDARD) || tokenKind.equals(MANUFACTURER);
  }

  /** Gift-certificate and auction tokens are never exchanged (nor are manufacturer tokens, by their restriction). */
  boolean exchangeable() {
    return tokenKind.equals(STANDARD);
  }

  /** Auction tokens pay only for bids: no purchases, POS sales or exchanges. */
  boolean auctionOnly() {
    return tokenKind.equals(AUCTION);
  }

  static String codeSuffix(String tokenKind) {
    return switch (tokenKind) {
      case GIFT_CERTIFICATE -> "_GIFT";
      case AUCTION -> "_AUCTION";
      default -> "";
    };
  }

  static Vendor of(Row r) {
    String[] allowed = r.getArrayOfStrings("allowed_products");
    Integer type = r.getInteger("point_type");
    return new Vendor(r.getLong("id"), r.getString("name"), r.getString("kind"), r.getString("token_code"),
        r.getLong("rate_won"), allowed == null ? List.of() : Arrays.asList(allowed), r.getString("status"),
        type == null ? 0 : type, MANUFACTURER.equals(r.getString("kind")) ? MANUFACTURER : STANDARD);
  }

  boolean approved() {
    return APPROVED.equals(status);
  }

  boolean manufacturer() {
    return MANUFACTURER.equals(kind);
  }

  String pointTypeCode() {
    return "TOKEN_" + tokenCode + codeSuffix(tokenKind);
  }

  long rateMicros() {
    return Math.multiplyExact(rateWon, 1_000_000L);
  }

  JsonObject toJson() {
    return new JsonObject().put("id", id).put("name", name).put("kind", kind).put("tokenCode", pointTypeCode()).put("tokenKind", tokenKind)
        .put("rateWon", rateWon).put("status", status).put("pointType", pointType)
        .put("allowedProducts", new JsonArray(allowedProducts));
  }
}
