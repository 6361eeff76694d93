package dev.mileage.gateway.mall;

import dev.mileage.gateway.members.Web;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code /mall/vendor/notifications}: what the mall told the calling vendor (issuances, registrations, product
 * list changes, reimbursements paid by the schedule or not covered), newest first, a page at a time by id, and
 * marking them read. A vendor reaches only its own: ids of another vendor's notifications are never touched.
 */
final class NotificationRoutes extends RoutesBase {
  static final int PAGE_ROWS_DEFAULT = 20;
  static final int PAGE_ROWS_MAX = 100;
  /** Notifications one mark-as-read request names at most. */
  static final int MARK_IDS_MAX = 100;

  private final Journal journal;

  NotificationRoutes(Vendors vendors, Journal journal) {
    super(vendors);
    this.journal = journal;
  }

  void list(RoutingContext ctx) {
    long before = queryLong(ctx, "before", Long.MAX_VALUE, 1, Long.MAX_VALUE);
    int limit = (int) queryLong(ctx, "limit", PAGE_ROWS_DEFAULT, 1, PAGE_ROWS_MAX);
    String unread = ctx.queryParams().get("unread");
    if (unread != null && !unread.equals("true") && !unread.equals("false")) throw new IllegalArgumentException("unread must be true or false");
    boolean unreadOnly = "true".equals(unread);
    then(ctx, vendor(ctx, true), v -> journal.pool().preparedQuery("SELECT * FROM mall.notification WHERE vendor_id = $1 AND id < $2"
            + (unreadOnly ? " AND read_at IS NULL" : "") + " ORDER BY id DESC LIMIT $3")
        .execute(Tuple.of(v.id(), before, limit + 1))
        .compose(rows -> journal.pool().preparedQuery("SELECT count(*) FROM mall.notification WHERE vendor_id = $1 AND read_at IS NULL")
            .execute(Tuple.of(v.id())).map(count -> {
              JsonArray page = new JsonArray();
              List<Row> all = new ArrayList<>();
              rows.forEach(all::add);
              for (Row r : all.subList(0, Math.min(limit, all.size()))) page.add(toJson(r));
              Long next = all.size() > limit ? all.get(limit - 1).getLong("id") : null;
              return new JsonObject().put("vendorId", v.id()).put("unread", count.iterator().next().getLong(0))
                  .put("notifications", page).put("next", next);
            }))
        .onSuccess(body -> Web.json(ctx, 200, body)).onFailure(ctx::fail));
  }

  void markRead(RoutingContext ctx) {
    Object value = Web.body(ctx).getValue("ids");
    if (!(value instanceof JsonArray arr) || arr.isEmpty() || arr.size() > MARK_IDS_MAX) {
      throw new IllegalArgumentException("ids must list 1 to " + MARK_IDS_MAX + " notification ids");
    }
    List<Long> ids = new ArrayList<>();
    for (Object o : arr) {
      if (!(o instanceof Number n) || n.doubleValue() != n.longValue() || n.longValue() < 1) {
        throw new IllegalArgumentException("ids must be positive whole numbers");
      }
      ids.add(n.longValue());
    }
    then(ctx, vendor(ctx, true), v -> journal.pool().preparedQuery("UPDATE mall.notification SET read_at = $3"
            + " WHERE vendor_id = $1 AND id = ANY($2) AND read_at IS NULL")
        .execute(Tuple.of(v.id(), ids.toArray(new Long[0]), journal.now()))
        .compose(marked -> journal.pool().preparedQuery("SELECT count(*) FROM mall.notification WHERE vendor_id = $1 AND read_at IS NULL")
            .execute(Tuple.of(v.id())).map(count -> new JsonObject().put("marked", marked.rowCount())
                .put("unread", count.iterator().next().getLong(0))))
        .onSuccess(body -> Web.json(ctx, 200, body)).onFailure(ctx::fail));
  }

  static JsonObject toJson(Row r) {
    String kind = r.getString("kind");
    Long member = r.getLong("member_id");
    long tokens = r.getLong("tokens");
    String detail = r.getString("detail");
    if (detail.isEmpty()) {
      detail = switch (kind) {
        case "ISSUANCE" -> member == null ? tokens + " tokens issued to the vendor" : tokens + " tokens given to member " + member;
        case "REGISTRATION" -> "member " + member + " registered";
        default -> kind.toLowerCase().replace('_', ' ');
      };
    }
    var read = r.getOffsetDateTime("read_at");
    return new JsonObject().put("id", r.getLong("id")).put("kind", kind).put("memberId", member).put("tokens", tokens)
        .put("amountWon", r.getLong("amount_won")).put("detail", detail).put("at", r.getOffsetDateTime("at").toInstant().toString())
        .put("read", read != null).put("readAt", read == null ? null : read.toInstant().toString());
  }

  private static long queryLong(RoutingContext ctx, String name, long absent, long min, long max) {
    String text = ctx.queryParams().get(name);
    if (text == null || text.isEmpty()) return absent;
    try {
      long v = Long.parseLong(text);
      if (v < min || v > max) throw new NumberFormatException();
      return v;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a whole number in " + min + ".." + max);
    }
  }
}
