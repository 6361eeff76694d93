package dev.mileage.gateway.certificates;

import dev.mileage.gateway.http.Caller;
import dev.mileage.gateway.members.Web;
import dev.mileage.gateway.shop.PaymentProvider;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Map;

/**
 * The HTTP edge of bank-transfer purchases: the buyer's view of an order (with any deposit being returned), the
 * provider's deposit notices, and the operators' list and confirmation of deposits owed back.
 */
final class BankTransferRoutes {
  static final String SIGNATURE_HEADER = "X-Payment-Signature";
  /** A deposit notice is a few hundred bytes; anything larger is not one. */
  static final int NOTICE_BYTES_MAX = 2_048;

  private final PurchaseService purchases;
  private final BankTransfers transfers;
  private final DepositReturns returns;
  private final WebhookGuard guard;

  BankTransferRoutes(PurchaseService purchases, BankTransfers transfers, DepositReturns returns, WebhookGuard guard) {
    this.purchases = purchases;
    this.transfers = transfers;
    this.returns = returns;
    this.guard = guard;
  }

  /**
   * GET one purchase of the caller: a bank-transfer order shows its account, amount, deadline and state, and each
   * deposit it received that is being (or was) returned.
   */
  void one(RoutingContext ctx) {
    Long member = CertificatesFeature.member(ctx);
    if (member == null) return;
    long id = CertificateRoutes.pathId(ctx);
    purchases.expireDue(member).compose(n -> purchases.one(member, id)).compose(p -> p == null
            ? Future.<JsonObject>succeededFuture(null)
            : returns.ofPurchase(member, id).map(list -> p.put("depositReturns",
                DepositReturns.json(list, DepositReturns.DepositReturn::forBuyer))))
        .onSuccess(p -> {
          if (p == null) notYours(ctx);
          else Web.json(ctx, 200, p);
        }).onFailure(ctx::fail);
  }

  /** GET the caller's purchases, newest first, each with the deposits being (or that were) returned for it. */
  void history(RoutingContext ctx) {
    Long member = CertificatesFeature.member(ctx);
    if (member == null) return;
    purchases.history(member).compose(list -> returns.ofMember(member).map(owed -> {
      Map<Long, JsonArray> byPurchase = new HashMap<>();
      for (var r : owed) byPurchase.computeIfAbsent(r.purchaseId(), k -> new JsonArray()).add(0, r.forBuyer());
      JsonArray out = new JsonArray();
      for (JsonObject p : list) {
        var mine = byPurchase.get(p.getLong("id"));
        out.add(mine == null ? p : p.put("depositReturns", mine));
      }
      return out;
    })).onSuccess(a -> Web.json(ctx, 200, a)).onFailure(ctx::fail);
  }

  /**
   * POST by the payment provider (no session): a signed deposit notice. A source that sent too many badly signed
   * notices is answered 429 before anything is looked at ({@link WebhookGuard}).
   */
  void notice(RoutingContext ctx) {
    WebhookGuard.Notice notice = guard.admit(ctx, WebhookGuard.ROUTE_DEPOSIT, NOTICE_BYTES_MAX, "a deposit notice");
    if (notice == null) return;
    transfers.notice(new PaymentProvider.DepositNotice(notice.body(), notice.signature())).onSuccess(r -> {
      if (r.outcome() == BankTransfers.Outcome.BAD_SIGNATURE) guard.badSignature(ctx, WebhookGuard.ROUTE_DEPOSIT);
      answer(ctx, r);
    }).onFailure(ctx::fail);
  }

  /** POST by the buyer, sandbox provider only: "my bank paid this much into the order's account". */
  void simulate(RoutingContext ctx) {
    Long member = CertificatesFeature.member(ctx);
    if (member == null) return;
    long id = CertificateRoutes.pathId(ctx);
    long amount = Web.requireLong(Web.body(ctx), "amountWon", 1, CertificatesOptions.PURCHASE_WON_MAX);
    transfers.simulate(member, id, amount).onSuccess(r -> {
      if (r.isEmpty()) {
        Web.error(ctx, 404, "not_found", "no bank-transfer order of yours with this id (or the payment provider is not a sandbox)");
      } else {
        answer(ctx, r.get());
      }
    }).onFailure(ctx::fail);
  }

  /** GET by an operator: deposits owed back (or returned), by status, oldest first, {@code after} an id. */
  void listReturns(RoutingContext ctx) {
    String s = ctx.queryParams().get("status");
    DepositReturns.Status status;
    try {
      status = s == null ? null : DepositReturns.Status.valueOf(s);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("status must be OWED, SENT, CONFIRMED or FAILED");
    }
    long after = queryLong(ctx, "after", 0, Long.MAX_VALUE, 0);
    int limit = (int) queryLong(ctx, "limit", 1, DepositReturns.PAGE_ROWS_MAX, DepositReturns.PAGE_ROWS_DEFAULT);
    returns.page(status, after, limit).onSuccess(list -> Web.json(ctx, 200, new JsonObject()
            .put("returns", DepositReturns.json(list, DepositReturns.DepositReturn::forOperator))
            .put("next", list.size() == limit ? list.get(list.size() - 1).id() : null)))
        .onFailure(ctx::fail);
  }

  /**
   * POST by an operator, the fallback for a FAILED return: the money went back by other means under
   * {@code returnReference} (at {@code returnedAt}).
   */
  void confirmReturn(RoutingContext ctx) {
    long id = CertificateRoutes.pathId(ctx);
    JsonObject b = Web.body(ctx);
    String reference = Web.requireText(b, "returnReference", DepositReturns.RETURN_REFERENCE_LENGTH_MAX);
    if (!reference.matches("[A-Za-z0-9._:/-]{1," + DepositReturns.RETURN_REFERENCE_LENGTH_MAX + "}")) {
      throw new IllegalArgumentException("returnReference must be letters, digits, '.', '_', ':', '/' or '-'");
    }
    String at = Web.optionalText(b, "returnedAt", 40);
    Instant returnedAt;
    try {
      returnedAt = at == null ? null : Instant.parse(at);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("returnedAt must be an ISO-8601 instant, e.g. 2026-11-24T01:00:00Z");
    }
    String operator = Caller.of(ctx).map(Caller::id).orElseThrow();
    returns.confirm(id, reference, returnedAt, operator).onSuccess(c -> {
      switch (c.outcome()) {
        case RETURNED, ALREADY_RETURNED -> Web.json(ctx, 200, c.depositReturn().forOperator()
            .put("result", c.outcome().name()));
        case NO_SUCH_RETURN -> Web.error(ctx, 404, "not_found", "no deposit return with this id");
        case RETURNED_UNDER_ANOTHER_REFERENCE -> Web.json(ctx, 409, new JsonObject().put("error", "already_returned")
            .put("reason", "this deposit was already confirmed returned under reference " + c.depositReturn().returnReference())
            .put("depositReturn", c.depositReturn().forOperator()));
        case REFERENCE_USED_BY_ANOTHER_RETURN -> Web.error(ctx, 409, "return_reference_used",
            "this return reference already confirms another deposit return");
        case NOT_FAILED -> Web.json(ctx, 409, new JsonObject().put("error", "not_failed")
            .put("reason", "only a FAILED return is confirmed by hand; this one is " + c.depositReturn().status()
                + " with the bank provider, whose notice confirms it")
            .put("depositReturn", c.depositReturn().forOperator()));
        case RETURNED_AT_OUT_OF_RANGE -> Web.error(ctx, 400, "invalid_request",
            "returnedAt must lie between the deposit's arrival and now");
      }
    }).onFailure(ctx::fail);
  }

  private static long queryLong(RoutingContext ctx, String name, long min, long max, long otherwise) {
    String v = ctx.queryParams().get(name);
    if (v == null) return otherwise;
    try {
      long n = Long.parseLong(v);
      if (n < min || n > max) throw new NumberFormatException();
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a whole number in " + min + ".." + max);
    }
  }

  private static void answer(RoutingContext ctx, BankTransfers.Result r) {
    JsonObject body = switch (r.outcome()) {
      case ISSUED, ALREADY_PAID -> new JsonObject().put("result", r.outcome().name()).put("purchaseId", r.purchaseId());
      case BAD_SIGNATURE -> new JsonObject().put("error", "bad_signature");
      case DEPOSIT_ID_REUSED -> new JsonObject().put("error", "deposit_id_reused");
      case UNKNOWN_REFERENCE -> new JsonObject().put("error", "unknown_reference");
      case EXPIRED -> new JsonObject().put("error", "expired").put("purchaseId", r.purchaseId());
      case NOT_PAYABLE -> new JsonObject().put("error", "not_payable").put("purchaseId", r.purchaseId());
      case AMOUNT_MISMATCH -> new JsonObject().put("error", "amount_mismatch").put("purchaseId", r.purchaseId());
    };
    body.put("reason", r.reason());
    if (r.depositReturn() != null) body.put("depositReturn", r.depositReturn().forNotice());
    int status = switch (r.outcome()) {
      case ISSUED, ALREADY_PAID -> 200;
      case BAD_SIGNATURE -> 401;
      case UNKNOWN_REFERENCE -> 404;
      case EXPIRED, NOT_PAYABLE, DEPOSIT_ID_REUSED -> 409;
      case AMOUNT_MISMATCH -> 422;
    };
    Web.json(ctx, status, body);
  }

  private static void notYours(RoutingContext ctx) {
    Web.error(ctx, 404, "not_found", "no such purchase among yours");
  }
}
