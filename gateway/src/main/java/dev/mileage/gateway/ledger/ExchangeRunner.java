package dev.mileage.gateway.ledger;

import dev.mileage.points.engine.Exchange;
import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.AccountFlags;
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
 * An exchange between point types: looks up what points-core's {@link Exchange} needs (the member's two
 * accounts, their point types' cash values, the issuers' pools and the fee account, opened on first use),
 * submits the linked chain it builds and names the outcome: 200 when applied (OK, or EXISTS for a retry
 * with the same key), 422 with the failing result otherwise, 404 for an unknown account.
 */
final class ExchangeRunner {
  /** Who collects exchange fees, per point type: the operator's revenue, kept apart from the pools. */
  static final String FEE_OWNER = "operator:fees";
  /** Pools and the fee account issue and collect; they carry no balance limit. */
  static final int POOL_ACCOUNT_FLAGS = AccountFlags.NONE;

  record Request(String key, long fromAccountId, long toAccountId, long amount, int feeBasisPoints) {
    Request {
      if (key == null || key.isEmpty() || key.length() > 200) throw new IllegalArgumentException("key must be 1..200 characters");
      if (fromAccountId <= 0 || toAccountId <= 0) throw new IllegalArgumentException("account ids must be positive");
      if (fromAccountId == toAccountId) throw new IllegalArgumentException("fromAccountId and toAccountId must differ");
      if (amount <= 0) throw new IllegalArgumentException("amount must be positive");
      if (feeBasisPoints < 0 || feeBasisPoints >= Exchange.FEE_BASIS_POINTS_MAX) {
        throw new IllegalArgumentException("feeBasisPoints must be 0.." + (Exchange.FEE_BASIS_POINTS_MAX - 1));
      }
    }
  }

  record Outcome(int status, JsonObject body) {
  }

  private final Ledger ledger;

  ExchangeRunner(Ledger ledger) {
    this.ledger = ledger;
  }

  Future<Outcome> run(Request request, Context context) {
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
      if (sourceType.cashMicrosPerUnit() <= 0 || targetType.cashMicrosPerUnit() <= 0) {
        return Future.succeededFuture(error(422, "exchange_refused", "a point type without cash value cannot be exchanged"));
      }
      Future<Account> poolA = open(sourceType.issuer(), sourceType.id(), context);
      Future<Account> feeA = open(FEE_OWNER, sourceType.id(), context);
      Future<Account> poolB = open(targetType.issuer(), targetType.id(), context);
      return Future.all(poolA, feeA, poolB).compose(pools -> {
        Optional<Exchange.Plan> planned = Exchange.plan(new Exchange.Request(request.key(), source.id(),
            poolA.result().id(), feeA.result().id(), poolB.result().id(), target.id(), request.amount(),
            sourceType.cashMicrosPerUnit(), targetType.cashMicrosPerUnit(), request.feeBasisPoints()));
        if (planned.isEmpty()) {
          return Future.succeededFuture(error(422, "exchange_refused", "amount too small: worth less than one "
              + targetType.code() + " after the fee"));
        }
        Exchange.Plan plan = planned.get();
        return Future.fromCompletionStage(ledger.submit(plan.chain()), context).map(results -> {
          JsonArray named = new JsonArray();
          Optional<TransferResult> firstFailure = Optional.empty();
          for (int i = 0; i < results.size(); i++) {
            TransferResult r = results.get(i);
            if (!r.applied() && firstFailure.isEmpty() && r != TransferResult.LINKED_EVENT_FAILED) firstFailure = Optional.of(r);
            named.add(new JsonObject().put("id", plan.chain().get(i).id().toString()).put("result", r.name()));
          }
          boolean applied = results.stream().allMatch(TransferResult::applied);
          JsonObject body = new JsonObject().put("result", applied ? results.get(0).name()
                  : firstFailure.orElse(TransferResult.LINKED_EVENT_FAILED).name())
              .put("debited", request.amount()).put("fee", plan.feeA()).put("credited", plan.amountB())
              .put("transfers", named);
          return new Outcome(applied ? 200 : 422, body);
        });
      });
    });
  }

  private Future<Account> open(String owner, int pointType, Context context) {
    return Future.fromCompletionStage(ledger.openAccount(owner, pointType, POOL_ACCOUNT_FLAGS), context);
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
