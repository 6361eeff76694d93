package dev.mileage.gateway.shop;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;

import java.time.OffsetDateTime;
import java.util.List;

/** An order as stored, with its lines. */
public record Order(long id, long memberId, Status status, long totalWon, int pointsType, long pointsAmount,
                    long pointsValueWon, long cashWon, long mileageEarned, long mileageReversed,
                    long refundDeductionWon, String paymentRef, String declineReason, OffsetDateTime createdAt,
                    OffsetDateTime paidAt, OffsetDateTime refundedAt, List<Item> items) {
  public enum Status { PENDING, PAID, DECLINED, FAILED, REFUNDED }

  public record Item(int line, long productId, String name, String variant, long unitPriceWon, int quantity,
                     long mileage) {
    JsonObject toJson() {
      return new JsonObject().put("productId", productId).put("name", name).put("variant", variant)
          .put("unitPriceWon", unitPriceWon).put("quantity", quantity).put("lineWon", unitPriceWon * quantity)
          .put("mileage", mileage);
    }
  }

  public Order {
    items = List.copyOf(items);
  }

  static final String COLUMNS = "id, member_id, status, total_won, points_type, points_amount, points_value_won, cash_won,"
      + " mileage_earned, mileage_reversed, refund_deduction_won, payment_ref, decline_reason, created_at, paid_at, refunded_at";

  static Order of(Row r, List<Item> items) {
    Integer pt = r.getInteger("points_type");
    return new Order(r.getLong("id"), r.getLong("member_id"), Status.valueOf(r.getString("status")),
        r.getLong("total_won"), pt == null ? 0 : pt, r.getLong("points_amount"), r.getLong("points_value_won"),
        r.getLong("cash_won"), r.getLong("mileage_earned"), r.getLong("mileage_reversed"),
        r.getLong("refund_deduction_won"), r.getString("payment_ref"), r.getString("decline_reason"),
        r.getOffsetDateTime("created_at"), r.getOffsetDateTime("paid_at"), r.getOffsetDateTime("refunded_at"), items);
  }

  /** What the member (and the back office) sees; the member id only for the back office. */
  public JsonObject toJson(boolean withMember) {
    JsonObject o = new JsonObject().put("id", id).put("status", status.name()).put("totalWon", totalWon)
        .put("pointsType", pointsType == 0 ? null : pointsType).put("pointsAmount", pointsAmount)
        .put("pointsValueWon", pointsValueWon).put("cashWon", cashWon).put("mileageEarned", mileageEarned)
        .put("mileageReversed", mileageReversed).put("refundDeductionWon", refundDeductionWon)
        .put("declineReason", declineReason).put("createdAt", createdAt.toInstant().toString())
        .put("paidAt", paidAt == null ? null : paidAt.toInstant().toString())
        .put("refundedAt", status == Status.REFUNDED && refundedAt != null ? refundedAt.toInstant().toString() : null)
        .put("items", new JsonArray(items.stream().map(Item::toJson).toList()));
    if (withMember) o.put("memberId", memberId);
    return o;
  }
}
