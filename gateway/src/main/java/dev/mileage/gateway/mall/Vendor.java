package dev.mileage.gateway.mall;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/** A vendor of the mall as stored; {@code pointType} is 0 until the operator approves it. */
record Vendor(long id, String name, String kind, String tokenCode, long rateWon, List<String> allowedProducts,
              String status, int pointType) {
  static final String SHOP = "SHOP";
  static final String MANUFACTURER = "MANUFACTURER";
  static final String APPROVED = "APPROVED";

  Vendor {
    Objects.requireNonNull(name, "name");
    allowedProducts = List.copyOf(allowedProducts);
  }

  static Vendor of(Row r) {
    String[] allowed = r.getArrayOfStrings("allowed_products");
    Integer type = r.getInteger("point_type");
    return new Vendor(r.getLong("id"), r.getString("name"), r.getString("kind"), r.getString("token_code"),
        r.getLong("rate_won"), allowed == null ? List.of() : Arrays.asList(allowed), r.getString("status"),
        type == null ? 0 : type);
  }

  boolean approved() {
    return APPROVED.equals(status);
  }

  boolean manufacturer() {
    return MANUFACTURER.equals(kind);
  }

  String pointTypeCode() {
    return "TOKEN_" + tokenCode;
  }

  long rateMicros() {
    return Math.multiplyExact(rateWon, 1_000_000L);
  }

  JsonObject toJson() {
    return new JsonObject().put("id", id).put("name", name).put("kind", kind).put("tokenCode", pointTypeCode())
        .put("rateWon", rateWon).put("status", status).put("pointType", pointType)
        .put("allowedProducts", new JsonArray(allowedProducts));
  }
}
