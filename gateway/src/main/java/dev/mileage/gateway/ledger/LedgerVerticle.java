package dev.mileage.gateway.ledger;

import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.AccountFlags;
import dev.mileage.points.ledger.HistoryPage;
import dev.mileage.points.ledger.Ledger;
import dev.mileage.points.ledger.Transfer;
import dev.mileage.points.ledger.TransferResult;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * The ledger on the event bus: see {@link LedgerAddresses} for the addresses and message shapes. The
 * edge converts JSON to the ledger's records and back; nothing else happens here.
 */
public final class LedgerVerticle extends VerticleBase {
  private final Ledger ledger;
  private final List<MessageConsumer<JsonObject>> consumers = new ArrayList<>();

  public LedgerVerticle(Ledger ledger) {
    this.ledger = ledger;
  }

  @Override
  public Future<?> start() {
    consume(LedgerAddresses.SUBMIT, this::submit);
    consume(LedgerAddresses.OPEN_ACCOUNT, this::openAccount);
    consume(LedgerAddresses.ACCOUNT, this::account);
    consume(LedgerAddresses.ACCOUNT_OF, this::accountOf);
    consume(LedgerAddresses.ACCOUNTS_OF, this::accountsOf);
    consume(LedgerAddresses.TRANSFER, this::transfer);
    consume(LedgerAddresses.HISTORY, this::history);
    consume(LedgerAddresses.POINT_TYPES, this::pointTypes);
    return Future.all(consumers.stream().map(MessageConsumer::completion).toList());
  }

  private void consume(String address, Function<JsonObject, CompletionStage<JsonObject>> handler) {
    Handler<Message<JsonObject>> h = message -> {
      CompletionStage<JsonObject> reply;
      try {
        JsonObject body = message.body();
        if (body == null) throw new IllegalArgumentException("message must be a JSON object");
        reply = handler.apply(body);
      } catch (IllegalArgumentException | ClassCastException e) {
        message.fail(LedgerAddresses.FAILURE_BAD_REQUEST, e.getMessage() == null ? "malformed message" : e.getMessage());
        return;
      }
      Future.fromCompletionStage(reply, context).onComplete(result -> {
        if (result.succeeded()) message.reply(result.result());
        else message.fail(LedgerAddresses.FAILURE_STORE, "ledger unavailable: retry with the same ids");
      });
    };
    consumers.add(vertx.eventBus().consumer(address, h));
  }

  private CompletionStage<JsonObject> submit(JsonObject body) {
    List<Transfer> transfers = LedgerJson.toTransfers(body.getJsonArray("transfers"));
    if (transfers.isEmpty() || transfers.size() > Ledger.BATCH_MAX) {
      throw new IllegalArgumentException("transfers must hold 1.." + Ledger.BATCH_MAX + " items");
    }
    return ledger.submit(transfers).thenApply(results ->
        new JsonObject().put("results", new JsonArray(results.stream().map(TransferResult::name).toList())));
  }

  private CompletionStage<JsonObject> openAccount(JsonObject body) {
    String owner = body.getString("owner");
    if (owner == null) throw new IllegalArgumentException("owner is required");
    int flags = AccountFlags.requireValid(LedgerJson.flags(body.getJsonArray("flags"), LedgerJson.ACCOUNT_FLAGS));
    return ledger.openAccount(owner, LedgerJson.intOf(body, "pointType"), flags).thenApply(LedgerJson::account);
  }

  private CompletionStage<JsonObject> account(JsonObject body) {
    return ledger.account(LedgerJson.longOf(body, "accountId", 0)).thenApply(LedgerVerticle::found);
  }

  private CompletionStage<JsonObject> accountOf(JsonObject body) {
    String owner = body.getString("owner");
    if (owner == null) throw new IllegalArgumentException("owner is required");
    return ledger.accountOf(owner, LedgerJson.intOf(body, "pointType")).thenApply(LedgerVerticle::found);
  }

  private CompletionStage<JsonObject> accountsOf(JsonObject body) {
    String owner = body.getString("owner");
    if (owner == null) throw new IllegalArgumentException("owner is required");
    return ledger.accountsOf(owner).thenApply(accounts ->
        new JsonObject().put("accounts", new JsonArray(accounts.stream().map(LedgerJson::account).toList())));
  }

  private CompletionStage<JsonObject> transfer(JsonObject body) {
    String id = body.getString("id");
    if (id == null) throw new IllegalArgumentException("id is required");
    return ledger.transfer(LedgerJson.uuid(id, "id")).thenApply(found -> found
        .map(r -> new JsonObject().put("found", true).put("transfer", LedgerJson.transferRecord(r)))
        .orElse(new JsonObject().put("found", false)));
  }

  private CompletionStage<JsonObject> history(JsonObject body) {
    String before = body.getString("before");
    int limit = body.containsKey("limit") ? LedgerJson.intOf(body, "limit") : LedgerRoutes.HISTORY_LIMIT_DEFAULT;
    if (limit < 1 || limit > HistoryPage.LIMIT_MAX) throw new IllegalArgumentException("limit must be 1.." + HistoryPage.LIMIT_MAX);
    Instant beforeInstant;
    try {
      beforeInstant = before == null ? null : Instant.parse(before);
    } catch (java.time.format.DateTimeParseException e) {
      throw new IllegalArgumentException("before must be an ISO-8601 instant");
    }
    return ledger.history(LedgerJson.longOf(body, "accountId", 0), beforeInstant, limit).thenApply(LedgerJson::historyPage);
  }

  private CompletionStage<JsonObject> pointTypes(JsonObject body) {
    return ledger.pointTypes().thenApply(types ->
        new JsonObject().put("pointTypes", new JsonArray(types.stream().map(LedgerJson::pointType).toList())));
  }

  private static JsonObject found(Optional<Account> account) {
    return account.map(a -> new JsonObject().put("found", true).put("account", LedgerJson.account(a)))
        .orElse(new JsonObject().put("found", false));
  }
}
