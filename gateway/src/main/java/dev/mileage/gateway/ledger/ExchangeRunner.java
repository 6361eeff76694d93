package dev.mileage.gateway.ledger;

import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.Ledger;
import dev.mileage.points.ledger.PointType;
import dev.mileage.points.ledger.TransferResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Optional;

/**
 * Looks up what an {@link Exchange} needs (the two accounts, their point types, the issuers' accounts,
 * opened on first use), submits the chain and names the outcome: 200 when applied (OK or a retry's
 * EXISTS), 422 with the failing result otherwise, 404 for an unknown account.
 */
final class ExchangeRunner {
  record Outcome(int status, JsonObject body) {
  }

  private final Ledger ledger;

  ExchangeRunner(Ledger ledger) {
    this.ledger = ledger;
  }

  Future<Outcome> run(Exchange.Request request, Context context) {
    Future<Optional<Account>> from = Future.fromCompletionStage(ledger.account(request.fromAccountId()), context);
    Future<Optional<Account>> to = Future.fromCompletionStage(ledger.account(request.toAccountId()), context);
    Future<List<PointType>> types = Future.fromCompletionStage(ledger.pointTypes(), context);
    return Future.all(from, to, types).compose(all -> {
      if (from.result().isEmpty()) return notFound(request.fromAccountId());
      if (to.result().isEmpty()) return notFound(request.toAccountId());
      Account source = from.result().get();
      Account target = to.result().get();
      if (source.pointType() == target.pointType()) {
        return Future.succeededFuture(error(400, "invalid_request", "accounts have the same point type"));
      }
      PointType sourceType = type(types.result(), source.pointType());
      PointType targetType = type(types.result(), target.pointType());
      Future<Account> sourceIssuer = Future.fromCompletionStage(
          ledger.openAccount(sourceType.issuer(), sourceType.id(), Exchange.ISSUER_ACCOUNT_FLAGS), context);
      Future<Account> targetIssuer = Future.fromCompletionStage(
          ledger.openAccount(targetType.issuer(), targetType.id(), Exchange.ISSUER_ACCOUNT_FLAGS), context);
      return Future.all(sourceIssuer, targetIssuer).compose(issuers -> {
        Exchange.Plan plan;
        try {
          plan = Exchange.plan(request, source, sourceType, sourceIssuer.result(), target, targetType,
              targetIssuer.result());
        } catch (IllegalArgumentException e) {
          return Future.succeededFuture(error(422, "exchange_refused", e.getMessage()));
        }
        return Future.fromCompletionStage(ledger.submit(plan.transfers()), context).map(results -> {
          JsonArray named = new JsonArray();
          Optional<TransferResult> firstFailure = Optional.empty();
          for (int i = 0; i < results.size(); i++) {
            TransferResult r = results.get(i);
            if (!r.applied() && firstFailure.isEmpty() && r != TransferResult.LINKED_EVENT_FAILED) firstFailure = Optional.of(r);
            named.add(new JsonObject().put("id", plan.transfers().get(i).id().toString()).put("result", r.name()));
          }
          boolean applied = results.stream().allMatch(TransferResult::applied);
          JsonObject body = new JsonObject().put("result", applied ? results.get(0).name()
                  : firstFailure.orElse(TransferResult.LINKED_EVENT_FAILED).name())
              .put("debited", plan.debited()).put("credited", plan.credited()).put("fee", plan.fee())
              .put("transfers", named);
          return new Outcome(applied ? 200 : 422, body);
        });
      });
    });
  }

  private static PointType type(List<PointType> types, int id) {
    return types.stream().filter(t -> t.id() == id).findFirst()
        .orElseThrow(() -> new IllegalStateException("account refers to unknown point type " + id));
  }

  private static Future<Outcome> notFound(long accountId) {
    return Future.succeededFuture(error(404, "not_found", "no account " + accountId));
  }

  private static Outcome error(int status, String error, String reason) {
    return new Outcome(status, new JsonObject().put("error", error).put("reason", reason));
  }
}
