package dev.mileage.gateway.ledger;

import dev.mileage.gateway.TestGateway;
import dev.mileage.points.ledger.StandardPointTypes;
import dev.mileage.points.ledger.Transfer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The ledger verticle on the event bus of a running gateway, against the real ledger. */
class LedgerEventBusTest {
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

  static JsonObject request(String address, JsonObject body) throws Exception {
    return gateway.app.context().vertx().eventBus().<JsonObject>request(address, body)
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS).body();
  }

  @Test
  void openSubmitAndReadBack() throws Exception {
    JsonObject issuer = request(LedgerAddresses.OPEN_ACCOUNT, new JsonObject().put("owner", "operator")
        .put("pointType", StandardPointTypes.MILEAGE));
    JsonObject member = request(LedgerAddresses.OPEN_ACCOUNT, new JsonObject().put("owner", "member:bus")
        .put("pointType", StandardPointTypes.MILEAGE).put("flags", new JsonArray().add("DEBITS_MUST_NOT_EXCEED_CREDITS")));
    assertEquals(new JsonArray().add("DEBITS_MUST_NOT_EXCEED_CREDITS"), member.getJsonArray("flags"));
    JsonObject t = new JsonObject().put("key", "bus:1").put("debitAccountId", issuer.getLong("id"))
        .put("creditAccountId", member.getLong("id")).put("amount", 42);
    JsonObject overdraft = new JsonObject().put("key", "bus:2").put("debitAccountId", member.getLong("id"))
        .put("creditAccountId", issuer.getLong("id")).put("amount", 43);
    JsonObject results = request(LedgerAddresses.SUBMIT, new JsonObject().put("transfers", new JsonArray().add(t).add(overdraft)));
    assertEquals(new JsonArray(List.of("OK", "EXCEEDS_CREDITS")), results.getJsonArray("results"));
    JsonObject account = request(LedgerAddresses.ACCOUNT, new JsonObject().put("accountId", member.getLong("id")));
    assertTrue(account.getBoolean("found"));
    assertEquals(42, account.getJsonObject("account").getJsonObject("balance").getLong("available"));
    JsonObject of = request(LedgerAddresses.ACCOUNT_OF, new JsonObject().put("owner", "member:bus")
        .put("pointType", StandardPointTypes.MILEAGE));
    assertEquals(member.getLong("id"), of.getJsonObject("account").getLong("id"));
    assertEquals(1, request(LedgerAddresses.ACCOUNTS_OF, new JsonObject().put("owner", "member:bus"))
        .getJsonArray("accounts").size());
    JsonObject stored = request(LedgerAddresses.TRANSFER, new JsonObject().put("id", Transfer.idOf("bus:1").toString()));
    assertEquals(42, stored.getJsonObject("transfer").getLong("amount"));
    assertFalse(request(LedgerAddresses.TRANSFER, new JsonObject().put("id", Transfer.idOf("bus:2").toString()))
        .getBoolean("found"));
    JsonObject history = request(LedgerAddresses.HISTORY, new JsonObject().put("accountId", member.getLong("id")));
    assertEquals(1, history.getJsonArray("transfers").size());
    assertTrue(request(LedgerAddresses.POINT_TYPES, new JsonObject()).getJsonArray("pointTypes").size() >= 8);
  }

  @Test
  void malformedMessagesFailWith400AndSubmitNothing() throws Exception {
    List<JsonObject> bad = List.of(new JsonObject(),
        new JsonObject().put("transfers", new JsonArray().add(new JsonObject().put("key", "bus:bad").put("amount", -1))),
        new JsonObject().put("transfers", new JsonArray().add(new JsonObject().put("id", "nope").put("amount", 1))));
    for (JsonObject body : bad) {
      ExecutionException e = assertThrows(ExecutionException.class, () -> request(LedgerAddresses.SUBMIT, body));
      ReplyException reply = assertInstanceOf(ReplyException.class, e.getCause());
      assertEquals(LedgerAddresses.FAILURE_BAD_REQUEST, reply.failureCode(), reply.getMessage());
    }
    assertFalse(request(LedgerAddresses.TRANSFER, new JsonObject().put("id", Transfer.idOf("bus:bad").toString()))
        .getBoolean("found"));
  }
}
