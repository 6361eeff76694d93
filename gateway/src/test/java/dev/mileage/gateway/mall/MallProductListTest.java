package dev.mileage.gateway.mall;

import dev.mileage.gateway.TestGateway;
import dev.mileage.points.ledger.PointType;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.mileage.gateway.mall.MallHarness.check;
import static dev.mileage.gateway.mall.MallHarness.key;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A manufacturer's product list changed through the HTTP API on a real gateway and PostgreSQL: by the manufacturer
 * and by the operator, audited and notified, applied to the ledger before the answer, never retroactive (a purchase
 * accepted before stays; the same purchase after the product's removal is refused with a reason); bad changes are
 * refused and change nothing; other vendors and members are refused.
 */
class MallProductListTest {
  @TempDir
  static Path dataDir;
  static MallHarness h;
  static MallHarness.Member owner;
  static MallHarness.Member fan;
  static MallHarness.VendorClient a;
  static MallHarness.VendorClient b;

  @BeforeAll
  static void start() throws Exception {
    h = new MallHarness(dataDir);
    owner = h.new Member("list-owner").ready();
    a = h.vendor(owner, "List Alpha", 10);
    b = h.vendor(owner, "List Beta", 10);
    for (String sku : List.of("P1", "P2", "P3")) a.product(sku, 10);
    b.product("Q1", 10);
    fan = h.new Member("list-fan").ready();
  }

  @AfterAll
  static void stop() {
    if (h != null) h.close();
  }

  /** A fresh manufacturer listing {@code products}, with 500 tokens of which the fan holds 300. */
  static MallHarness.VendorClient maker(String name, String... products) throws Exception {
    JsonArray listed = new JsonArray();
    for (String p : products) listed.add(p);
    MallHarness.VendorClient m = h.approve(h.apply(owner, name, "MANUFACTURER", name.toUpperCase().replaceAll("[^A-Z0-9]", ""), 10,
        listed));
    check(m.buyTokens(500, key()), 200);
    fan.register(m.id);
    check(m.allot(fan.id, 300, "LOYALTY", key()), 200);
    return m;
  }

  static HttpResponse<Buffer> change(String vendorKey, long makerId, List<String> add, List<String> remove, String requestKey)
      throws Exception {
    JsonObject body = new JsonObject().put("add", new JsonArray(add)).put("remove", new JsonArray(remove)).put("requestKey", requestKey);
    String path = "/api/v1/mall/vendors/" + makerId + "/allowed-product-changes";
    return vendorKey == null ? h.gateway.post(path, body) : h.send(vendorKey, HttpMethod.POST, path, body);
  }

  static Set<String> ledgerList(int pointType) throws Exception {
    for (PointType t : h.gateway.app.context().ledger().pointTypes().toCompletableFuture().get(30, TimeUnit.SECONDS)) {
      if (t.id() == pointType) return new TreeSet<>(t.allowedProducts());
    }
    throw new AssertionError("no point type " + pointType);
  }

  static Set<String> mallList(MallHarness.VendorClient m) throws Exception {
    JsonObject list = check(h.send(m.apiKey, HttpMethod.GET, "/api/v1/mall/vendors/" + m.id + "/allowed-products", null), 200)
        .bodyAsJsonObject();
    Set<String> out = new TreeSet<>();
    list.getJsonArray("allowedProducts").forEach(p -> out.add((String) p));
    return out;
  }

  @Test
  void theManufacturerChangesItsListAndARemovedProductIsRefusedFromThenOnButNotRetroactively() throws Exception {
    MallHarness.VendorClient m = maker("Change Maker", a.id + ":P1", a.id + ":P2");
    JsonObject before = check(fan.spend(a.id, "P1", m.id, key()), 200).bodyAsJsonObject();
    assertEquals("DONE", before.getString("status"));
    long held = fan.tokens(m.id);

    JsonObject changed = check(change(m.apiKey, m.id, List.of(b.id + ":Q1"), List.of(a.id + ":P1"), key()), 200).bodyAsJsonObject();
    assertEquals("vendor:" + m.id, changed.getString("changedBy"));
    assertEquals(new JsonArray().add(b.id + ":Q1"), changed.getJsonArray("added"));
    assertEquals(new JsonArray().add(a.id + ":P1"), changed.getJsonArray("removed"));
    assertTrue(changed.getBoolean("applied"));
    assertEquals(h.clock.instant().toString(), changed.getString("at"));
    Set<String> expected = new TreeSet<>(List.of(a.id + ":P2", b.id + ":Q1"));
    assertEquals(expected, ledgerList(m.pointType), "the ledger enforces the new list as soon as the change is answered");
    assertEquals(expected, mallList(m));

    HttpResponse<Buffer> refused = fan.spend(a.id, "P1", m.id, key());
    assertEquals(422, refused.statusCode());
    assertEquals("token_not_allowed", refused.bodyAsJsonObject().getString("error"));
    assertTrue(refused.bodyAsJsonObject().getString("reason").contains("no longer"), refused.bodyAsString());
    assertEquals(held, fan.tokens(m.id), "the refused purchase moved nothing");
    check(fan.spend(b.id, "Q1", m.id, key()), 200);
    assertEquals(held - 10, fan.tokens(m.id), "B accepts the token since its product was listed");
    check(fan.spend(a.id, "P2", m.id, key()), 200);

    JsonArray history = check(fan.get("/api/v1/mall/history"), 200).bodyAsJsonArray();
    assertTrue(history.stream().map(o -> (JsonObject) o).anyMatch(e -> e.getLong("id").equals(before.getLong("id"))
        && e.getString("status").equals("DONE") && "P1".equals(e.getString("sku"))), "the purchase made before stays: " + history);
    assertTrue(h.gateway.app.context().ledger().transfer(MallLedger.id(before.getLong("id"), "spend")).toCompletableFuture()
        .get(30, TimeUnit.SECONDS).isPresent(), "its ledger transfer stays");

    JsonObject audit = check(h.gateway.get("/api/v1/mall/vendors/" + m.id + "/allowed-products"), 200).bodyAsJsonObject();
    assertEquals(1, audit.getJsonArray("changes").size());
    assertEquals(changed.getLong("id"), audit.getJsonArray("changes").getJsonObject(0).getLong("id"));
    JsonArray notes = check(h.gateway.get("/api/v1/mall/admin/notifications"), 200).bodyAsJsonArray();
    for (long told : List.of(m.id, a.id, b.id)) {
      assertTrue(notes.stream().map(o -> (JsonObject) o).anyMatch(n -> n.getString("kind").equals("PRODUCTS_CHANGED")
          && n.getLong("vendorId") == told && n.getString("detail").contains("vendor:" + m.id)), "vendor " + told + " is told: " + notes);
    }
  }

  @Test
  void theOperatorChangesTheListAndARepeatedRequestIsAnsweredOnce() throws Exception {
    MallHarness.VendorClient m = maker("Operator Maker", a.id + ":P1");
    String k = key();
    JsonObject first = check(change(null, m.id, List.of(a.id + ":P3"), List.of(), k), 200).bodyAsJsonObject();
    assertEquals("operator:" + TestGateway.OPERATOR, first.getString("changedBy"));
    JsonObject again = check(change(null, m.id, List.of(a.id + ":P3"), List.of(), k), 200).bodyAsJsonObject();
    assertEquals(first.getLong("id"), again.getLong("id"), "the same change, not a second one");
    HttpResponse<Buffer> reused = change(null, m.id, List.of(a.id + ":P2"), List.of(), k);
    assertEquals(409, reused.statusCode());
    assertEquals("request_key_reused", reused.bodyAsJsonObject().getString("error"));
    assertEquals(Set.of(a.id + ":P1", a.id + ":P3"), ledgerList(m.pointType));
    assertEquals(1, check(h.gateway.get("/api/v1/mall/vendors/" + m.id + "/allowed-products"), 200).bodyAsJsonObject()
        .getJsonArray("changes").size());
    check(fan.spend(a.id, "P3", m.id, key()), 200);
  }

  @Test
  void concurrentChangesAreAllKeptAndTheLedgerEndsWithTheLastList() throws Exception {
    MallHarness.VendorClient m = maker("Busy Maker", a.id + ":P1");
    List<CompletableFuture<HttpResponse<Buffer>>> calls = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      String product = a.id + ":C" + i;
      calls.add(CompletableFuture.supplyAsync(() -> {
        try {
          return change(m.apiKey, m.id, List.of(product), List.of(), key());
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }));
    }
    for (var c : calls) check(c.get(60, TimeUnit.SECONDS), 200);
    Set<String> all = new TreeSet<>();
    all.add(a.id + ":P1");
    for (int i = 0; i < 8; i++) all.add(a.id + ":C" + i);
    assertEquals(all, mallList(m));
    assertEquals(all, ledgerList(m.pointType), "no change overwrote another in the ledger");
  }

  @Test
  void badChangesAreRefusedWithAReasonAndChangeNothing() throws Exception {
    MallHarness.VendorClient m = maker("Strict Maker", a.id + ":P1", a.id + ":P2");
    Set<String> listed = Set.of(a.id + ":P1", a.id + ":P2");
    record Bad(List<String> add, List<String> remove, int status, String error) { }
    List<String> tooMany = new ArrayList<>();
    for (int i = 0; i < MallOptions.ALLOWED_PRODUCTS_MAX - 1; i++) tooMany.add(a.id + ":X" + i);
    List<Bad> bad = List.of(
        new Bad(List.of("P1"), List.of(), 400, "invalid_request"),
        new Bad(List.of(a.id + ":bad sku"), List.of(), 400, "invalid_request"),
        new Bad(List.of("0:P1"), List.of(), 400, "invalid_request"),
        new Bad(List.of(a.id + ":P3", a.id + ":P3"), List.of(), 400, "invalid_request"),
        new Bad(List.of(a.id + ":P3"), List.of(a.id + ":P3"), 400, "invalid_request"),
        new Bad(List.of(), List.of(), 400, "invalid_request"),
        new Bad(List.of(a.id + ":P1"), List.of(), 409, "already_listed"),
        new Bad(List.of(), List.of(a.id + ":P3"), 409, "not_listed"),
        new Bad(List.of(), List.of(a.id + ":P1", a.id + ":P2"), 422, "product_list_empty"),
        new Bad(List.of("999999:P1"), List.of(), 422, "unknown_vendor"),
        new Bad(tooMany, List.of(), 409, "too_many"));
    for (Bad x : bad) {
      HttpResponse<Buffer> r = change(m.apiKey, m.id, x.add(), x.remove(), key());
      assertEquals(x.status(), r.statusCode(), x + ": " + r.bodyAsString());
      assertEquals(x.error(), r.bodyAsJsonObject().getString("error"), r.bodyAsString());
      assertFalse(r.bodyAsJsonObject().getString("reason", "").isBlank(), r.bodyAsString());
    }
    assertEquals(listed, ledgerList(m.pointType));
    assertEquals(listed, mallList(m));
    assertEquals(0, check(h.gateway.get("/api/v1/mall/vendors/" + m.id + "/allowed-products"), 200).bodyAsJsonObject()
        .getJsonArray("changes").size(), "nothing was recorded");
    HttpResponse<Buffer> twice = owner.post("/api/v1/mall/vendor-applications", new JsonObject().put("name", "Twice Maker")
        .put("kind", "MANUFACTURER").put("tokenCode", "TWICEMAKER").put("rateWon", 10)
        .put("allowedProducts", new JsonArray().add(a.id + ":P1").add(a.id + ":P1")));
    assertEquals(400, twice.statusCode(), "an application follows the same rules");
    assertTrue(twice.bodyAsJsonObject().getString("reason").contains("twice"), twice.bodyAsString());
    HttpResponse<Buffer> shop = change(a.apiKey, a.id, List.of(b.id + ":Q1"), List.of(), key());
    assertEquals(409, shop.statusCode());
    assertEquals("not_restricted", shop.bodyAsJsonObject().getString("error"));
  }

  @Test
  void otherVendorsAndMembersCannotReadOrChangeTheList() throws Exception {
    MallHarness.VendorClient m = maker("Guarded Maker", a.id + ":P1");
    String path = "/api/v1/mall/vendors/" + m.id + "/allowed-products";
    assertEquals(403, h.send(a.apiKey, HttpMethod.GET, path, null).statusCode(), "another vendor");
    HttpResponse<Buffer> other = change(a.apiKey, m.id, List.of(), List.of(a.id + ":P1"), key());
    assertEquals(403, other.statusCode());
    assertEquals("forbidden", other.bodyAsJsonObject().getString("error"));
    assertEquals(403, fan.get(path).statusCode(), "a member");
    assertEquals(403, fan.post("/api/v1/mall/vendors/" + m.id + "/allowed-product-changes", new JsonObject()
        .put("remove", new JsonArray().add(a.id + ":P1")).put("requestKey", key())).statusCode());
    assertEquals(404, h.gateway.get("/api/v1/mall/vendors/999999/allowed-products").statusCode(), "the operator, no such vendor");
    assertEquals(Set.of(a.id + ":P1"), ledgerList(m.pointType));
    check(fan.spend(a.id, "P1", m.id, key()), 200);
  }

  @Test
  void aChangeWhoseLedgerStepFailedIsAppliedByARepeatOrByTheNextRun() throws Exception {
    MallHarness.VendorClient m = maker("Lagging Maker", a.id + ":P1");
    MallHarness.VendorClient n = maker("Lagging Maker Two", a.id + ":P1");
    // as if the mall committed each change and the ledger step then failed: the mall's list is ahead of the ledger's
    String kM = key();
    for (MallHarness.VendorClient v : List.of(m, n)) {
      String[] list = {a.id + ":P1", a.id + ":P2"};
      query("UPDATE mall.vendor SET allowed_products = $2 WHERE id = $1", io.vertx.sqlclient.Tuple.tuple().addLong(v.id)
          .addArrayOfString(list));
      query("INSERT INTO mall.allowed_product_change (vendor_id, request_key, changed_by, added, removed, products, at)"
          + " VALUES ($1, $2, $3, $4, $5, $6, now())", io.vertx.sqlclient.Tuple.tuple().addLong(v.id)
          .addString(v == m ? kM : key()).addString("vendor:" + v.id).addArrayOfString(new String[] {a.id + ":P2"})
          .addArrayOfString(new String[0]).addArrayOfString(list));
    }
    assertEquals(Set.of(a.id + ":P1"), ledgerList(m.pointType), "the ledger does not have the change yet");
    assertEquals("token_not_allowed", fan.spend(a.id, "P2", m.id, key()).bodyAsJsonObject().getString("error"));

    JsonObject repeated = check(change(m.apiKey, m.id, List.of(a.id + ":P2"), List.of(), kM), 200).bodyAsJsonObject();
    assertTrue(repeated.getBoolean("applied"), repeated.encode());
    assertEquals(Set.of(a.id + ":P1", a.id + ":P2"), ledgerList(m.pointType), "repeating the request applied it");
    check(fan.spend(a.id, "P2", m.id, key()), 200);

    assertEquals(Set.of(a.id + ":P1"), ledgerList(n.pointType));
    JsonObject run = check(h.gateway.post("/api/v1/mall/admin/settlement-runs", new JsonObject()), 200).bodyAsJsonObject();
    assertTrue(run.getInteger("productListsRepaired") >= 1, run.encode());
    assertEquals(Set.of(a.id + ":P1", a.id + ":P2"), ledgerList(n.pointType), "the run applied the other");
    assertTrue(check(h.gateway.get("/api/v1/mall/vendors/" + n.id + "/allowed-products"), 200).bodyAsJsonObject()
        .getJsonArray("changes").getJsonObject(0).getBoolean("applied"));
  }

  static void query(String sql, io.vertx.sqlclient.Tuple args) throws Exception {
    h.gateway.app.context().pool().preparedQuery(sql).execute(args).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
