package dev.mileage.gateway.ledger;

import dev.mileage.gateway.GatewayContext;
import dev.mileage.gateway.http.Access;
import dev.mileage.gateway.http.Errors;
import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.HistoryPage;
import dev.mileage.points.ledger.Ledger;
import dev.mileage.points.ledger.PointType;
import dev.mileage.points.ledger.Transfer;
import dev.mileage.points.ledger.TransferResult;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * Operator REST for the ledger under {@code /api/v1/ledger}; operator role only. Submitting transfers
 * answers 200 when every transfer was applied (OK, or EXISTS for a retry) and 422 when at least one was
 * not; the body always names each transfer's result, in order. Malformed input is 400 and submits nothing.
 */
final class LedgerRoutes {
  static final int HISTORY_LIMIT_DEFAULT = 50;

  private final Ledger ledger;

  LedgerRoutes(GatewayContext context) {
    this.ledger = context.ledger();
  }

  void mount(Router api) {
    api.route("/ledger/*").handler(Access.role(Access.ROLE_OPERATOR));
    api.get("/ledger/point-types").handler(this::pointTypes);
    api.post("/ledger/accounts").handler(this::openAccount);
    api.get("/ledger/accounts/:accountId").handler(this::account);
    api.get("/ledger/accounts/:accountId/history").handler(this::history);
    api.get("/ledger/owners/:owner/accounts").handler(this::accountsOf);
    api.get("/ledger/transfers/:transferId").handler(this::transfer);
    api.post("/ledger/transfers").handler(this::submit);
    api.post("/ledger/exchanges").handler(this::exchange);
  }

  private void pointTypes(RoutingContext ctx) {
    answer(ctx, ledger.pointTypes(), types -> {
      JsonArray array = new JsonArray();
      types.forEach(t -> array.add(LedgerJson.pointType(t)));
      return new JsonObject().put("pointTypes", array);
    });
  }

  private void openAccount(RoutingContext ctx) {
    JsonObject body = ctx.body().asJsonObject();
    String owner = body.getString("owner");
    int pointType = LedgerJson.intOf(body, "pointType");
    int flags = LedgerJson.flags(body.getJsonArray("flags"), LedgerJson.ACCOUNT_FLAGS);
    if (owner == null || owner.isEmpty() || owner.length() > Account.OWNER_LENGTH_MAX) {
      throw new IllegalArgumentException("owner must be 1.." + Account.OWNER_LENGTH_MAX + " characters");
    }
    dev.mileage.points.ledger.AccountFlags.requireValid(flags);
    Future<List<PointType>> types = on(ctx, ledger.pointTypes());
    types.onFailure(ctx::fail).onSuccess(all -> {
      if (all.stream().noneMatch(t -> t.id() == pointType)) {
        Errors.send(ctx, 422, "unknown_point_type", "no point type " + pointType);
        return;
      }
      answer(ctx, ledger.openAccount(owner, pointType, flags), LedgerJson::account);
    });
  }

  private void account(RoutingContext ctx) {
    long id = pathLong(ctx, "accountId");
    answerOptional(ctx, ledger.account(id), LedgerJson::account, "no account " + id);
  }

  private void accountsOf(RoutingContext ctx) {
    String owner = ctx.pathParam("owner");
    answer(ctx, ledger.accountsOf(owner), accounts -> {
      JsonArray array = new JsonArray();
      accounts.forEach(a -> array.add(LedgerJson.account(a)));
      return new JsonObject().put("owner", owner).put("accounts", array);
    });
  }

  private void history(RoutingContext ctx) {
    long id = pathLong(ctx, "accountId");
    String beforeText = ctx.request().getParam("before");
    String limitText = ctx.request().getParam("limit");
    Instant before;
    int limit;
    try {
      before = beforeText == null ? null : Instant.parse(beforeText);
      limit = limitText == null ? HISTORY_LIMIT_DEFAULT : Integer.parseInt(limitText);
    } catch (DateTimeParseException | NumberFormatException e) {
      throw new IllegalArgumentException("before must be an ISO-8601 instant and limit an integer");
    }
    if (limit < 1 || limit > HistoryPage.LIMIT_MAX) {
      throw new IllegalArgumentException("limit must be 1.." + HistoryPage.LIMIT_MAX);
    }
    on(ctx, ledger.account(id)).onFailure(ctx::fail).onSuccess(account -> {
      if (account.isEmpty()) {
        Errors.notFound(ctx, "no account " + id);
        return;
      }
      answer(ctx, ledger.history(id, before, limit), LedgerJson::historyPage);
    });
  }

  private void transfer(RoutingContext ctx) {
    UUID id = LedgerJson.uuid(ctx.pathParam("transferId"), "transferId");
    answerOptional(ctx, ledger.transfer(id), LedgerJson::transferRecord, "no transfer " + id);
  }

  private void submit(RoutingContext ctx) {
    JsonArray array = ctx.body().asJsonObject().getJsonArray("transfers");
    List<Transfer> transfers = LedgerJson.toTransfers(array);
    if (transfers.isEmpty() || transfers.size() > Ledger.BATCH_MAX) {
      throw new IllegalArgumentException("transfers must hold 1.." + Ledger.BATCH_MAX + " items");
    }
    on(ctx, ledger.submit(transfers)).onFailure(ctx::fail).onSuccess(results -> {
      JsonArray named = new JsonArray();
      int failed = 0;
      for (int i = 0; i < transfers.size(); i++) {
        TransferResult r = results.get(i);
        if (!r.applied()) failed++;
        named.add(new JsonObject().put("id", transfers.get(i).id().toString()).put("result", r.name()));
      }
      json(ctx, failed == 0 ? 200 : 422, new JsonObject().put("results", named)
          .put("applied", transfers.size() - failed).put("failed", failed));
    });
  }

  private void exchange(RoutingContext ctx) {
    JsonObject body = ctx.body().asJsonObject();
    ExchangeRunner.Request request = new ExchangeRunner.Request(body.getString("key"),
        LedgerJson.longOf(body, "fromAccountId", 0), LedgerJson.longOf(body, "toAccountId", 0),
        LedgerJson.longOf(body, "amount", 0), LedgerJson.intOf(body, "feeBasisPoints"));
    new ExchangeRunner(ledger).run(request, ctx.vertx().getOrCreateContext()).onFailure(ctx::fail)
        .onSuccess(outcome -> json(ctx, outcome.status(), outcome.body()));
  }

  // ---- helpers -------------------------------------------------------------------------------------

  private static long pathLong(RoutingContext ctx, String name) {
    try {
      long value = Long.parseLong(ctx.pathParam(name));
      if (value <= 0) throw new NumberFormatException();
      return value;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a positive integer");
    }
  }

  private static <T> Future<T> on(RoutingContext ctx, CompletionStage<T> stage) {
    return Future.fromCompletionStage(stage, ctx.vertx().getOrCreateContext());
  }

  private static <T> void answer(RoutingContext ctx, CompletionStage<T> stage, Function<T, JsonObject> toJson) {
    on(ctx, stage).onFailure(ctx::fail).onSuccess(value -> json(ctx, 200, toJson.apply(value)));
  }

  private static <T> void answerOptional(RoutingContext ctx, CompletionStage<Optional<T>> stage,
                                         Function<T, JsonObject> toJson, String notFound) {
    on(ctx, stage).onFailure(ctx::fail).onSuccess(value -> {
      if (value.isPresent()) json(ctx, 200, toJson.apply(value.get()));
      else Errors.notFound(ctx, notFound);
    });
  }

  static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
  }
}
