package dev.mileage.gateway.certificates;

import dev.mileage.gateway.http.Caller;
import dev.mileage.gateway.members.Web;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.logging.Logger;

/**
 * The HTTP edge of deposit returns sent through the bank provider: its signed settlement notices (no session, like
 * deposit notices) and the operators' retry of a FAILED return.
 */
final class ReturnRoutes {
  private static final Logger LOG = Logger.getLogger(ReturnRoutes.class.getName());
  /** A settlement notice is a few hundred bytes; anything larger is not one. */
  static final int NOTICE_BYTES_MAX = 2_048;

  private final ReturnDispatcher dispatcher;
  private final DepositReturns returns;
  private final WebhookGuard guard;

  ReturnRoutes(ReturnDispatcher dispatcher, DepositReturns returns, WebhookGuard guard) {
    this.dispatcher = dispatcher;
    this.returns = returns;
    this.guard = guard;
  }

  /**
   * POST by the bank provider: a signed notice that a return instruction's money went back (or was refused). A source
   * that sent too many badly signed notices is answered 429 before anything is looked at ({@link WebhookGuard}).
   */
  void settlement(RoutingContext ctx) {
    WebhookGuard.Notice notice = guard.admit(ctx, WebhookGuard.ROUTE_SETTLEMENT, NOTICE_BYTES_MAX, "a settlement notice");
    if (notice == null) return;
    dispatcher.settle(notice.body(), notice.signature()).onSuccess(r -> {
      switch (r.outcome()) {
        case CONFIRMED, FAILED, ALREADY_SETTLED -> Web.json(ctx, 200, new JsonObject().put("result", r.outcome().name())
            .put("reason", r.reason()));
        case BAD_SIGNATURE -> {
          guard.badSignature(ctx, WebhookGuard.ROUTE_SETTLEMENT);
          LOG.warning("deposit-return settlement notice refused: not signed by the bank provider");
          Web.error(ctx, 401, "bad_signature", r.reason());
        }
        case NO_SUCH_RETURN -> Web.error(ctx, 404, "not_found", r.reason());
        case MISMATCH -> Web.error(ctx, 409, "mismatch", r.reason());
        case CONFLICT -> Web.error(ctx, 409, "conflict", r.reason());
      }
    }).onFailure(ctx::fail);
  }

  /** POST by an operator: send a FAILED return again (now, with fresh attempts). */
  void retry(RoutingContext ctx) {
    long id = CertificateRoutes.pathId(ctx);
    String operator = Caller.of(ctx).map(Caller::id).orElseThrow();
    returns.retry(id).onSuccess(r -> {
      switch (r.outcome()) {
        case RETRYING -> {
          LOG.info("deposit return " + id + " retried by operator " + operator);
          dispatcher.kick();
          Web.json(ctx, 202, r.depositReturn().forOperator().put("result", r.outcome().name()));
        }
        case NO_SUCH_RETURN -> Web.error(ctx, 404, "not_found", "no deposit return with this id");
        case NOT_FAILED -> Web.json(ctx, 409, new JsonObject().put("error", "not_failed")
            .put("reason", "only a FAILED return can be retried; this one is " + r.depositReturn().status())
            .put("depositReturn", r.depositReturn().forOperator()));
      }
    }).onFailure(ctx::fail);
  }
}
