package dev.mileage.gateway.ledger;

import dev.mileage.gateway.TestGateway;
import dev.mileage.points.ledger.StandardPointTypes;
import dev.mileage.points.ledger.Transfer;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The operator ledger API over real HTTP against the real ledger on embedded PostgreSQL. */
class LedgerRestTest {
  @TempDir
  static Path dataDir;
  static TestGateway gateway;

  @BeforeAll
  static void start() throws Exception {
    gateway = new TestGateway(dataDir);
  }

  @AfterAll
  static void stop() {
    if (gateway != null) gateway.close();
  }

  static long open(String owner, int pointType, boolean customer) throws Exception {
    JsonObject body = new JsonObject().put("owner", owner).put("pointType", pointType);
    if (customer) body.put("flags", new JsonArray().add("DEBITS_MUST_NOT_EXCEED_CREDITS"));
    HttpResponse<Buffer> r = gateway.post("/api/v1/ledger/accounts", body);
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject().getLong("id");
  }

  static JsonObject account(long id) throws Exception {
    HttpResponse<Buffer> r = gateway.get("/api/v1/ledger/accounts/" + id);
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  static JsonObject transfer(String key, long debit, long credit, long amount, String... flags) {
    return new JsonObject().put("key", key).put("debitAccountId", debit).put("creditAccountId", credit)
        .put("amount", amount).put("flags", new JsonArray(List.of(flags)));
  }

  static HttpResponse<Buffer> submit(JsonObject... transfers) throws Exception {
    return gateway.post("/api/v1/ledger/transfers", new JsonObject().put("transfers", new JsonArray(List.of(transfers))));
  }

  static List<String> results(HttpResponse<Buffer> r) {
    return r.bodyAsJsonObject().getJsonArray("results").stream().map(o -> ((JsonObject) o).getString("result")).toList();
  }

  @Test
  void pointTypesAreListed() throws Exception {
    HttpResponse<Buffer> r = gateway.get("/api/v1/ledger/point-types");
    assertEquals(200, r.statusCode(), r.bodyAsString());
    JsonArray types = r.bodyAsJsonObject().getJsonArray("pointTypes");
    assertTrue(types.stream().anyMatch(t -> ((JsonObject) t).getString("code").equals("MILEAGE")));
  }

  @Test
  void openAccountIsIdempotentAndListedForItsOwner() throws Exception {
    long a = open("member:open1", StandardPointTypes.MILEAGE, true);
    assertEquals(a, open("member:open1", StandardPointTypes.MILEAGE, true));
    long b = open("member:open1", StandardPointTypes.CYBER_MONEY, true);
    HttpResponse<Buffer> r = gateway.get("/api/v1/ledger/owners/member:open1/accounts");
    assertEquals(200, r.statusCode());
    List<Long> ids = r.bodyAsJsonObject().getJsonArray("accounts").stream()
        .map(o -> ((JsonObject) o).getLong("id")).sorted().toList();
    assertEquals(List.of(Math.min(a, b), Math.max(a, b)), ids);
    assertEquals(422, gateway.post("/api/v1/ledger/accounts",
        new JsonObject().put("owner", "member:x").put("pointType", 99_999)).statusCode());
  }

  @Test
  void singleTransferRetryAndRefusalChangeBalancesExactlyOnce() throws Exception {
    long issuer = open("operator", StandardPointTypes.MILEAGE, false);
    long member = open("member:single", StandardPointTypes.MILEAGE, true);
    HttpResponse<Buffer> first = submit(transfer("single:1", issuer, member, 500));
    assertEquals(200, first.statusCode(), first.bodyAsString());
    assertEquals(List.of("OK"), results(first));
    assertEquals(List.of("EXISTS"), results(submit(transfer("single:1", issuer, member, 500))));
    HttpResponse<Buffer> different = submit(transfer("single:1", issuer, member, 501));
    assertEquals(422, different.statusCode());
    assertEquals(List.of("EXISTS_WITH_DIFFERENT_AMOUNT"), results(different));
    HttpResponse<Buffer> overdraft = submit(transfer("single:2", member, issuer, 501));
    assertEquals(422, overdraft.statusCode());
    assertEquals(List.of("EXCEEDS_CREDITS"), results(overdraft));
    JsonObject balance = account(member).getJsonObject("balance");
    assertEquals(500, balance.getLong("available"));
    assertEquals(500, balance.getLong("posted"));
    assertEquals(0, balance.getLong("pending"));
    assertEquals(404, gateway.get("/api/v1/ledger/transfers/" + Transfer.idOf("single:2")).statusCode());
    HttpResponse<Buffer> stored = gateway.get("/api/v1/ledger/transfers/" + Transfer.idOf("single:1"));
    assertEquals(200, stored.statusCode());
    assertEquals(500, stored.bodyAsJsonObject().getLong("amount"));
    assertNotNull(stored.bodyAsJsonObject().getString("timestamp"));
  }

  @Test
  void reservationPostAndVoid() throws Exception {
    long issuer = open("operator", StandardPointTypes.MILEAGE, false);
    long member = open("member:pending", StandardPointTypes.MILEAGE, true);
    assertEquals(List.of("OK"), results(submit(transfer("pending:fund", issuer, member, 1000))));
    JsonObject reserve = transfer("pending:r1", member, issuer, 300, "PENDING").put("timeoutSeconds", 60);
    assertEquals(List.of("OK"), results(submit(reserve)));
    JsonObject balance = account(member).getJsonObject("balance");
    assertEquals(700, balance.getLong("available"));
    assertEquals(1000, balance.getLong("posted"));
    assertEquals(300, balance.getLong("pending"));
    JsonObject post = new JsonObject().put("key", "pending:p1").put("pendingId", Transfer.idOf("pending:r1").toString())
        .put("amount", 120).put("flags", new JsonArray().add("POST_PENDING"));
    assertEquals(List.of("OK"), results(submit(post)));
    balance = account(member).getJsonObject("balance");
    assertEquals(880, balance.getLong("available"));
    assertEquals(880, balance.getLong("posted"));
    assertEquals(0, balance.getLong("pending"));
    assertEquals(List.of("OK"), results(submit(transfer("pending:r2", member, issuer, 50, "PENDING"))));
    JsonObject voidIt = new JsonObject().put("key", "pending:v2").put("pendingId", Transfer.idOf("pending:r2").toString())
        .put("amount", 0).put("flags", new JsonArray().add("VOID_PENDING"));
    assertEquals(List.of("OK"), results(submit(voidIt)));
    assertEquals(880, account(member).getJsonObject("balance").getLong("available"));
  }

  @Test
  void linkedChainFailsAsOne() throws Exception {
    long issuer = open("operator", StandardPointTypes.MILEAGE, false);
    long a = open("member:linkA", StandardPointTypes.MILEAGE, true);
    long b = open("member:linkB", StandardPointTypes.MILEAGE, true);
    assertEquals(List.of("OK"), results(submit(transfer("link:fund", issuer, a, 100))));
    HttpResponse<Buffer> r = submit(transfer("link:1", a, b, 60, "LINKED"), transfer("link:2", a, b, 60));
    assertEquals(422, r.statusCode());
    assertEquals(List.of("LINKED_EVENT_FAILED", "EXCEEDS_CREDITS"), results(r));
    assertEquals(0, r.bodyAsJsonObject().getInteger("applied"));
    assertEquals(100, account(a).getJsonObject("balance").getLong("posted"));
    assertEquals(0, account(b).getJsonObject("balance").getLong("posted"));
  }

  @Test
  void historyIsPagedByTimeNewestFirst() throws Exception {
    long issuer = open("operator", StandardPointTypes.MILEAGE, false);
    long member = open("member:history", StandardPointTypes.MILEAGE, true);
    for (int i = 1; i <= 5; i++) assertEquals(List.of("OK"), results(submit(transfer("history:" + i, issuer, member, i))));
    HttpResponse<Buffer> page1 = gateway.get("/api/v1/ledger/accounts/" + member + "/history?limit=3");
    assertEquals(200, page1.statusCode(), page1.bodyAsString());
    JsonObject p1 = page1.bodyAsJsonObject();
    assertEquals(List.of(5L, 4L, 3L), amounts(p1));
    assertNotNull(p1.getString("next"));
    JsonObject p2 = gateway.get("/api/v1/ledger/accounts/" + member + "/history?limit=3&before=" + p1.getString("next"))
        .bodyAsJsonObject();
    assertEquals(List.of(2L, 1L), amounts(p2));
    assertNull(p2.getString("next"));
  }

  private static List<Long> amounts(JsonObject page) {
    return page.getJsonArray("transfers").stream().map(o -> ((JsonObject) o).getLong("amount")).toList();
  }

  @Test
  void exchangeBetweenPointTypesIsOneChainAndIdempotent() throws Exception {
    long mileageIssuer = open("operator", StandardPointTypes.MILEAGE, false);
    long mileage = open("member:exchange", StandardPointTypes.MILEAGE, true);
    long cyber = open("member:exchange", StandardPointTypes.CYBER_MONEY, true);
    assertEquals(List.of("OK"), results(submit(transfer("exchange:fund", mileageIssuer, mileage, 1000))));
    JsonObject request = new JsonObject().put("key", "ex1").put("fromAccountId", mileage).put("toAccountId", cyber)
        .put("amount", 400).put("feeBasisPoints", 100);
    HttpResponse<Buffer> r = gateway.post("/api/v1/ledger/exchanges", request);
    assertEquals(200, r.statusCode(), r.bodyAsString());
    assertEquals(600, account(mileage).getJsonObject("balance").getLong("posted"));
    long cyberAfter = account(cyber).getJsonObject("balance").getLong("posted");
    assertTrue(cyberAfter > 0 && cyberAfter < 400, "fee taken: " + cyberAfter);
    HttpResponse<Buffer> retry = gateway.post("/api/v1/ledger/exchanges", request);
    assertEquals(200, retry.statusCode(), retry.bodyAsString());
    assertEquals("EXISTS", retry.bodyAsJsonObject().getString("result"));
    assertEquals(600, account(mileage).getJsonObject("balance").getLong("posted"));
    HttpResponse<Buffer> tooMuch = gateway.post("/api/v1/ledger/exchanges", request.copy().put("key", "ex2").put("amount", 601));
    assertEquals(422, tooMuch.statusCode(), tooMuch.bodyAsString());
    assertEquals(600, account(mileage).getJsonObject("balance").getLong("posted"));
    assertEquals(cyberAfter, account(cyber).getJsonObject("balance").getLong("posted"));
    HttpResponse<Buffer> sameType = gateway.post("/api/v1/ledger/exchanges", request.copy().put("key", "ex3")
        .put("toAccountId", open("member:exchange2", StandardPointTypes.MILEAGE, true)));
    assertEquals(400, sameType.statusCode(), sameType.bodyAsString());
    HttpResponse<Buffer> unknown = gateway.post("/api/v1/ledger/exchanges", request.copy().put("key", "ex4")
        .put("toAccountId", 987654321L));
    assertEquals(404, unknown.statusCode(), unknown.bodyAsString());
    HttpResponse<Buffer> tooSmall = gateway.post("/api/v1/ledger/exchanges", request.copy().put("key", "ex5")
        .put("amount", 1).put("feeBasisPoints", 9999));
    assertEquals(422, tooSmall.statusCode(), tooSmall.bodyAsString());
    assertEquals(600, account(mileage).getJsonObject("balance").getLong("posted"), "refusals changed nothing");
  }

  @Test
  void malformedRequestsAre400AndChangeNothing() throws Exception {
    long issuer = open("operator", StandardPointTypes.MILEAGE, false);
    long member = open("member:malformed", StandardPointTypes.MILEAGE, true);
    List<JsonObject> bad = List.of(
        new JsonObject(),                                                            // no transfers
        new JsonObject().put("transfers", new JsonArray()),                          // empty batch
        new JsonObject().put("transfers", new JsonArray().add(transfer("m:1", issuer, member, -5))),
        new JsonObject().put("transfers", new JsonArray().add(transfer("m:2", issuer, member, 5).put("id", UUID.randomUUID().toString()))),
        new JsonObject().put("transfers", new JsonArray().add(transfer("m:3", issuer, member, 5).put("flags", new JsonArray().add("BOGUS")))),
        new JsonObject().put("transfers", new JsonArray().add(transfer("m:4", issuer, member, 5).put("surprise", 1))),
        new JsonObject().put("transfers", new JsonArray().add(transfer("m:5", issuer, member, 5))
            .add(transfer("m:6", issuer, member, 5).put("amount", "five"))),
        new JsonObject().put("transfers", new JsonArray().add(new JsonObject().put("id", "not-a-uuid").put("amount", 1))));
    for (JsonObject body : bad) {
      HttpResponse<Buffer> r = gateway.post("/api/v1/ledger/transfers", body);
      assertEquals(400, r.statusCode(), body.encode() + " -> " + r.bodyAsString());
      assertEquals("invalid_request", r.bodyAsJsonObject().getString("error"));
      assertNotNull(r.bodyAsJsonObject().getString("reason"));
    }
    HttpResponse<Buffer> notJson = gateway.send(io.vertx.core.http.HttpMethod.POST, "/api/v1/ledger/transfers",
        TestGateway.OPERATOR, TestGateway.PASSWORD, Buffer.buffer("{not json"));
    assertEquals(400, notJson.statusCode(), notJson.bodyAsString());
    assertEquals(400, gateway.get("/api/v1/ledger/accounts/abc").statusCode());
    assertEquals(400, gateway.get("/api/v1/ledger/accounts/" + member + "/history?limit=100000").statusCode());
    assertEquals(400, gateway.get("/api/v1/ledger/transfers/xyz").statusCode());
    assertEquals(404, gateway.get("/api/v1/ledger/accounts/987654321").statusCode());
    for (int i = 1; i <= 6; i++) {
      assertEquals(404, gateway.get("/api/v1/ledger/transfers/" + Transfer.idOf("m:" + i)).statusCode(), "m:" + i);
    }
    assertEquals(0, account(member).getJsonObject("balance").getLong("posted"));
  }
}
