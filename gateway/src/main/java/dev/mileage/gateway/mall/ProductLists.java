package dev.mileage.gateway.mall;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * A manufacturer's product list (the products its restricted token pays for, {@code "<vendorId>:<sku>"}), changed
 * by the manufacturer or the operator. A change is first written to the mall (the vendor's list, the audit row in
 * {@code mall.allowed_product_change}, the notifications) under the vendor row's lock, then given to the ledger's
 * point type, which is what a purchase is checked against. The answer comes only after the ledger has it, so
 * every purchase that starts after the answer sees the new list; purchases accepted before stay valid (they are
 * never re-checked; one checked just before the ledger step and committed just after counts as accepted before). If the ledger step fails the change stays recorded but unapplied: repeating the request (same
 * key) or any later change of the vendor applies the latest list, and the mall's periodic run does too.
 */
final class ProductLists {
  static final String PRODUCT_PATTERN = "[1-9][0-9]{0,17}:" + RoutesBase.SKU_PATTERN;
  /** Products one change may add and remove together. */
  static final int CHANGES_PER_REQUEST_MAX = MallOptions.ALLOWED_PRODUCTS_MAX;
  /** Unapplied vendors' lists the periodic run re-applies at most, per run. */
  static final int REPAIRS_PER_RUN_MAX = 50;

  private final Pool pool;
  private final Journal journal;
  private final MallLedger ledger;

  ProductLists(Journal journal, MallLedger ledger) {
    this.pool = journal.pool();
    this.journal = journal;
    this.ledger = ledger;
  }

  /** A change as recorded. */
  record Change(long id, String changedBy, List<String> added, List<String> removed, List<String> products, String at,
                boolean applied) {
    static Change of(Row r) {
      return new Change(r.getLong("id"), r.getString("changed_by"), Arrays.asList(r.getArrayOfStrings("added")),
          Arrays.asList(r.getArrayOfStrings("removed")), Arrays.asList(r.getArrayOfStrings("products")),
          r.getOffsetDateTime("at").toInstant().toString(), r.getOffsetDateTime("applied_at") != null);
    }

    JsonObject toJson() {
      return new JsonObject().put("id", id).put("changedBy", changedBy).put("added", new JsonArray(added))
          .put("removed", new JsonArray(removed)).put("allowedProducts", new JsonArray(products)).put("at", at)
          .put("applied", applied);
    }
  }

  /**
   * Adds and removes products of the manufacturer {@code maker}'s list, as {@code changedBy} (an owner string),
   * idempotent by {@code requestKey}. The lists are checked by the caller for format, size, duplicates and overlap.
   */
  Future<Outcome.Result> change(Vendor maker, List<String> add, List<String> remove, String changedBy, String requestKey) {
    if (!maker.manufacturer()) return Future.succeededFuture(Outcome.NOT_RESTRICTED.error());
    return pool.withTransaction(c -> c.preparedQuery("SELECT allowed_products FROM mall.vendor WHERE id = $1 FOR UPDATE")
            .execute(Tuple.of(maker.id()))
            .compose(locked -> c.preparedQuery("SELECT * FROM mall.allowed_product_change WHERE vendor_id = $1 AND request_key = $2")
                .execute(Tuple.of(maker.id(), requestKey)).compose(existing -> {
                  if (existing.size() == 1) {
                    Change earlier = Change.of(existing.iterator().next());
                    boolean same = Set.copyOf(earlier.added()).equals(Set.copyOf(add))
                        && Set.copyOf(earlier.removed()).equals(Set.copyOf(remove));
                    return Future.succeededFuture(same ? Outcome.DONE.with(earlier.toJson()) : Outcome.REQUEST_KEY_REUSED.error());
                  }
                  Set<String> current = new TreeSet<>(Arrays.asList(locked.iterator().next().getArrayOfStrings("allowed_products")));
                  return record(c, maker, current, add, remove, changedBy, requestKey);
                })))
        .compose(r -> r.outcome() == Outcome.DONE ? sync(maker).map(x -> r) : Future.succeededFuture(r))
        .compose(r -> r.outcome() == Outcome.DONE ? reread(maker.id(), r.body().getLong("id")) : Future.succeededFuture(r));
  }

  private Future<Outcome.Result> record(SqlConnection c, Vendor maker, Set<String> current, List<String> add,
                                        List<String> remove, String changedBy, String requestKey) {
    List<String> listed = add.stream().filter(current::contains).toList();
    if (!listed.isEmpty()) return Future.succeededFuture(refused(Outcome.ALREADY_LISTED, listed));
    List<String> unlisted = remove.stream().filter(p -> !current.contains(p)).toList();
    if (!unlisted.isEmpty()) return Future.succeededFuture(refused(Outcome.NOT_LISTED, unlisted));
    Set<String> next = new TreeSet<>(current);
    next.addAll(add);
    next.removeAll(remove);
    if (next.isEmpty()) return Future.succeededFuture(Outcome.LIST_EMPTY.error());
    if (next.size() > MallOptions.ALLOWED_PRODUCTS_MAX) return Future.succeededFuture(Outcome.LIST_TOO_LONG.error());
    Set<Long> addedVendors = vendorsOf(add);
    return c.preparedQuery("SELECT id FROM mall.vendor WHERE id = ANY($1) AND status = 'APPROVED'")
        .execute(Tuple.tuple().addArrayOfLong(addedVendors.toArray(new Long[0]))).compose(found -> {
          Set<Long> known = new java.util.HashSet<>();
          for (Row r : found) known.add(r.getLong(0));
          List<String> strangers = add.stream().filter(p -> !known.contains(vendorOf(p))).toList();
          if (!strangers.isEmpty()) return Future.succeededFuture(refused(Outcome.UNKNOWN_PRODUCT_VENDOR, strangers));
          String[] products = next.toArray(new String[0]);
          String[] added = add.stream().sorted().toArray(String[]::new);
          String[] removed = remove.stream().sorted().toArray(String[]::new);
          List<Tuple> accepting = addedVendors.stream().filter(v -> v != maker.id()).map(v -> Tuple.of(v, maker.id())).toList();
          return c.preparedQuery("UPDATE mall.vendor SET allowed_products = $2 WHERE id = $1")
              .execute(Tuple.tuple().addLong(maker.id()).addArrayOfString(products))
              // a newly listed product's vendor lists the token as accepted, as approval does for the first list
              .compose(x -> accepting.isEmpty() ? Future.succeededFuture() : c.preparedQuery("INSERT INTO mall.acceptance"
                  + " (vendor_id, token_vendor_id) VALUES ($1, $2) ON CONFLICT DO NOTHING").executeBatch(accepting))
              .compose(x -> c.preparedQuery("INSERT INTO mall.allowed_product_change (vendor_id, request_key, changed_by, added,"
                      + " removed, products, at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *")
                  .execute(Tuple.tuple().addLong(maker.id()).addString(requestKey).addString(changedBy).addArrayOfString(added)
                      .addArrayOfString(removed).addArrayOfString(products).addOffsetDateTime(journal.now())))
              .compose(rows -> {
                Change change = Change.of(rows.iterator().next());
                return notifyChange(c, maker, change).map(x -> Outcome.DONE.with(change.toJson()));
              });
        });
  }

  /** The manufacturer and every vendor whose product was added or removed learn of the change. */
  private Future<Void> notifyChange(SqlConnection c, Vendor maker, Change change) {
    Set<Long> told = new LinkedHashSet<>();
    told.add(maker.id());
    told.addAll(vendorsOf(change.added()));
    told.addAll(vendorsOf(change.removed()));
    String detail = "products of token " + maker.pointTypeCode() + " (vendor " + maker.id() + ") changed by " + change.changedBy()
        + ": added " + change.added() + ", removed " + change.removed();
    List<Tuple> rows = new ArrayList<>();
    for (long v : told) rows.add(Tuple.of("PRODUCTS_CHANGED", v, detail, journal.now()));
    // a vendor id listed by a product but since gone would fail the foreign key: only existing vendors are told
    return c.preparedQuery("INSERT INTO mall.notification (kind, vendor_id, detail, at) SELECT $1, $2, $3, $4"
        + " WHERE EXISTS (SELECT 1 FROM mall.vendor WHERE id = $2)").executeBatch(rows).mapEmpty();
  }

  /**
   * Gives the ledger the vendor's list as the mall holds it now, under the vendor row's lock (so two changes reach
   * the ledger in the order they were made), and marks the vendor's changes applied.
   */
  Future<Void> sync(Vendor maker) {
    return pool.withTransaction(c -> c.preparedQuery("SELECT allowed_products, point_type FROM mall.vendor WHERE id = $1 FOR UPDATE")
        .execute(Tuple.of(maker.id())).compose(rows -> {
          Row r = rows.iterator().next();
          Set<String> products = new TreeSet<>(Arrays.asList(r.getArrayOfStrings("allowed_products")));
          return ledger.f(ledger.ledger().setAllowedProducts(r.getInteger("point_type"), products))
              .compose(t -> c.preparedQuery("UPDATE mall.allowed_product_change SET applied_at = $2 WHERE vendor_id = $1"
                  + " AND applied_at IS NULL").execute(Tuple.of(maker.id(), journal.now())));
        })).mapEmpty();
  }

  /** Re-applies the lists of vendors with unapplied changes (a change whose ledger step failed); answers how many. */
  Future<Integer> repair(Vendors vendors) {
    return pool.query("SELECT DISTINCT vendor_id FROM mall.allowed_product_change WHERE applied_at IS NULL LIMIT "
        + REPAIRS_PER_RUN_MAX).execute().compose(rows -> {
          Future<Integer> done = Future.succeededFuture(0);
          for (Row r : rows) {
            long id = r.getLong(0);
            done = done.compose(n -> vendors.find(id).compose(this::sync).map(n + 1));
          }
          return done;
        });
  }

  private Future<Outcome.Result> reread(long vendorId, long changeId) {
    return pool.preparedQuery("SELECT * FROM mall.allowed_product_change WHERE id = $1").execute(Tuple.of(changeId))
        .map(rows -> Outcome.DONE.with(Change.of(rows.iterator().next()).toJson().put("vendorId", vendorId)));
  }

  /** The vendor's list and its changes, newest first. */
  Future<JsonObject> history(Vendor maker) {
    return pool.preparedQuery("SELECT * FROM mall.allowed_product_change WHERE vendor_id = $1 ORDER BY id DESC LIMIT "
        + MallOptions.HISTORY_ROWS_MAX).execute(Tuple.of(maker.id())).map(rows -> {
          JsonArray changes = new JsonArray();
          for (Row r : rows) changes.add(Change.of(r).toJson());
          return new JsonObject().put("vendorId", maker.id()).put("token", maker.pointTypeCode())
              .put("allowedProducts", new JsonArray(new TreeSet<>(maker.allowedProducts()).stream().toList()))
              .put("changes", changes);
        });
  }

  private static Outcome.Result refused(Outcome o, List<String> products) {
    return o.with(new JsonObject().put("error", o.error).put("reason", o.reason).put("products", new JsonArray(products)));
  }

  static long vendorOf(String product) {
    return Long.parseLong(product.substring(0, product.indexOf(':')));
  }

  static Set<Long> vendorsOf(List<String> products) {
    Set<Long> out = new TreeSet<>();
    for (String p : products) out.add(vendorOf(p));
    return out;
  }
}
