package dev.mileage.gateway.mall;

import dev.mileage.gateway.http.Access;
import dev.mileage.gateway.http.Caller;
import dev.mileage.gateway.members.Web;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code /mall/vendors/:id/allowed-products}: a manufacturer's product list and its changes. Only that vendor (by its
 * own key) and operators read or change it; another vendor gets 403, and so does a member.
 */
final class ProductListRoutes extends RoutesBase {
  private final ProductLists lists;

  ProductListRoutes(Vendors vendors, ProductLists lists) {
    super(vendors);
    this.lists = lists;
  }

  void list(RoutingContext ctx) {
    then(ctx, maker(ctx, pathId(ctx, "id")), v -> then(ctx, lists.history(v), h -> Web.json(ctx, 200, h)));
  }

  void change(RoutingContext ctx) {
    long id = pathId(ctx, "id");
    JsonObject b = Web.body(ctx);
    List<String> add = products(b, "add");
    List<String> remove = products(b, "remove");
    if (add.isEmpty() && remove.isEmpty()) throw new IllegalArgumentException("add or remove at least one product");
    if (add.size() + remove.size() > ProductLists.CHANGES_PER_REQUEST_MAX) {
      throw new IllegalArgumentException("at most " + ProductLists.CHANGES_PER_REQUEST_MAX + " products added and removed in one change");
    }
    for (String p : add) {
      if (remove.contains(p)) throw new IllegalArgumentException(p + " is both added and removed");
    }
    String key = requestKey(b, "requestKey");
    String by = Caller.of(ctx).orElseThrow().owner();
    then(ctx, maker(ctx, id), v -> result(ctx, lists.change(v, add, remove, by, key)));
  }

  /** A list of distinct {@code "<vendorId>:<sku>"} entries in field {@code field} (absent: empty). */
  static List<String> products(JsonObject b, String field) {
    Object value = b.getValue(field);
    if (value == null) return List.of();
    if (!(value instanceof JsonArray arr) || arr.size() > ProductLists.CHANGES_PER_REQUEST_MAX) {
      throw new IllegalArgumentException(field + " must be a list of at most " + ProductLists.CHANGES_PER_REQUEST_MAX + " products");
    }
    List<String> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (Object o : arr) {
      if (!(o instanceof String s) || !s.matches(ProductLists.PRODUCT_PATTERN)) {
        throw new IllegalArgumentException(field + ": products are \"<vendorId>:<sku>\" (sku: 1..32 letters, digits, '.', '_', '-'),"
            + " not " + (o instanceof String s ? "\"" + s.substring(0, Math.min(s.length(), 40)) + "\"" : String.valueOf(o)));
      }
      if (!seen.add(s)) throw new IllegalArgumentException(field + " lists " + s + " twice");
      out.add(s);
    }
    return out;
  }

  /** The approved manufacturer {@code id} when the caller is it or an operator; otherwise answers and is empty. */
  private Future<Vendor> maker(RoutingContext ctx, long id) {
    Caller c = Caller.of(ctx).orElseThrow();
    if (c.hasRole(Access.ROLE_OPERATOR)) return approved(ctx, id);
    if (c.kind() == Caller.Kind.VENDOR && c.id().equals(Long.toString(id))) return vendor(ctx, true);
    Web.error(ctx, 403, "forbidden", "only vendor " + id + " itself (with its vendor key) or an operator reaches its product list");
    return Future.succeededFuture(null);
  }
}
