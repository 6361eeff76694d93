package dev.mileage.gateway.mall;
import dev.mileage.gateway.http.Caller;
import dev.mileage.gateway.members.Web;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** What the mall's HTTP edge shares: who is calling, the one answer shape, input checks. */
abstract class RoutesBase {
  static final String KEY_PATTERN = "[A-Za-z0-9._:-]{8," + MallOptions.KEY_LENGTH_MAX + "}";
  static final String SKU_PATTERN = "[A-Za-z0-9][A-Za-z0-9._-]{0,31}";

  final Vendors vendors;

  RoutesBase(Vendors vendors) {
    this.vendors = vendors;
  }

  // ---- who is calling ------------------------------------------------------------------------------

  static Long member(RoutingContext ctx) {
    Caller c = Caller.of(ctx).orElse(null);
    if (c == null || c.kind() != Caller.Kind.MEMBER) {
      Web.error(ctx, 403, "members_only", "sign in as a member to use your tokens");
      return null;
    }
    return Long.parseLong(c.id());
  }

  /** The calling vendor, approved; otherwise answers 403 (and the future is empty). */
  Future<Vendor> vendor(RoutingContext ctx, boolean approvedOnly) {
    Caller c = Caller.of(ctx).orElse(null);
    if (c == null || c.kind() != Caller.Kind.VENDOR) {
      Web.error(ctx, 403, "vendors_only", "this needs a vendor key (X-Vendor-Key)");
      return Future.succeededFuture(null);
    }
    return vendors.find(Long.parseLong(c.id())).map(v -> {
      if (approvedOnly && (v == null || !v.approved())) {
        answer(ctx, Outcome.VENDOR_NOT_APPROVED.error());
        return null;
      }
      return v;
    });
  }

  static void answer(RoutingContext ctx, Outcome.Result r) {
    Web.json(ctx, r.outcome().status, r.body());
  }

  static long pathId(RoutingContext ctx, String name) {
    try {
      long id = Long.parseLong(ctx.pathParam(name));
      if (id <= 0) throw new NumberFormatException();
      return id;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a positive number");
    }
  }

  static String requestKey(JsonObject b, String field) {
    String key = Web.requireText(b, field, MallOptions.KEY_LENGTH_MAX);
    if (!key.matches(KEY_PATTERN)) {
      throw new IllegalArgumentException(field + " must be 8 to " + MallOptions.KEY_LENGTH_MAX + " letters, digits, '.', '_', ':' or '-'");
    }
    return key;
  }

  /** An approved vendor by id, or answers 404. */
  Future<Vendor> approved(RoutingContext ctx, long id) {
    return vendors.find(id).map(v -> {
      if (v == null || !v.approved()) {
        answer(ctx, Outcome.NO_SUCH_VENDOR.error());
        return null;
      }
      return v;
    });
  }

  static <T> void then(RoutingContext ctx, Future<T> f, java.util.function.Consumer<T> ok) {
    f.onSuccess(v -> {
      if (v != null) ok.accept(v);
    }).onFailure(ctx::fail);
  }

  static void result(RoutingContext ctx, Future<Outcome.Result> f) {
    f.onSuccess(r -> answer(ctx, r)).onFailure(ctx::fail);
  }
}
