package dev.mileage.gateway.http;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** Every error answer has one shape: {@code {"error": "<machine code>", "reason": "<for a person>"}}. */
public final class Errors {
  private Errors() {
  }

  public static void send(RoutingContext ctx, int status, String error, String reason) {
    if (ctx.response().ended() || ctx.response().headWritten()) return;
    ctx.response().setStatusCode(status)
        .putHeader("Content-Type", "application/json; charset=utf-8")
        .end(new JsonObject().put("error", error).put("reason", reason).encode());
  }

  public static void badRequest(RoutingContext ctx, String reason) {
    send(ctx, 400, "invalid_request", reason);
  }

  public static void notFound(RoutingContext ctx, String reason) {
    send(ctx, 404, "not_found", reason);
  }

  public static void forbidden(RoutingContext ctx, String reason) {
    send(ctx, 403, "forbidden", reason);
  }

  /**
   * The ledger could not answer: 503 with Retry-After. Except for OUTCOME_UNKNOWN nothing was applied;
   * in every case a retry with the same transfer ids is safe (what was applied answers EXISTS).
   */
  private static void ledgerUnavailable(RoutingContext ctx, dev.mileage.points.ledger.LedgerException e) {
    String reason = switch (e.reason()) {
      case QUEUE_FULL -> "the ledger is busy; nothing was applied: retry with the same ids";
      case STORE_FAILED -> "the database failed; nothing was applied: retry with the same ids";
      case OUTCOME_UNKNOWN -> "the database went away during the commit: retry with the same ids to learn the outcome";
      case CLOSED -> "the ledger is shutting down; nothing was applied: retry with the same ids";
      case STOPPED -> "the ledger stopped writing (one writer per ledger: another gateway wrote to its database);"
          + " nothing was applied: this gateway must be restarted";
    };
    ctx.response().putHeader("Retry-After", "1");
    send(ctx, 503, "ledger_unavailable", reason);
  }

  /** For a routing failure: keeps 4xx from handlers and body limits, hides the details of a 5xx. */
  public static void fromFailure(RoutingContext ctx) {
    int status = ctx.statusCode() > 0 ? ctx.statusCode() : 500;
    Throwable failure = ctx.failure();
    while ((failure instanceof java.util.concurrent.CompletionException
        || failure instanceof java.util.concurrent.ExecutionException) && failure.getCause() != null) {
      failure = failure.getCause();
    }
    if (failure instanceof dev.mileage.points.ledger.LedgerException e) {
      ledgerUnavailable(ctx, e);
      return;
    }
    if (failure instanceof AuthenticationException a) {
      send(ctx, a.status(), a.error(), a.getMessage());
    } else if (failure instanceof IllegalArgumentException || failure instanceof ClassCastException
        || failure instanceof io.vertx.core.json.DecodeException) {
      badRequest(ctx, failure instanceof ClassCastException ? "a field has the wrong type" : failure.getMessage());
    } else if (status == 413) {
      // the rest of the body is not read: the connection closes after the answer rather than wait for it
      if (!ctx.request().isEnded() && ctx.request().version() != io.vertx.core.http.HttpVersion.HTTP_2) {
        ctx.response().putHeader("Connection", "close");
      }
      send(ctx, 413, "body_too_large", "the request body is larger than this resource takes");
    } else if (status == 404) {
      notFound(ctx, "no such resource");
    } else if (status == 405) {
      send(ctx, 405, "method_not_allowed", "method not allowed on this resource");
    } else if (status >= 400 && status < 500) {
      send(ctx, status, "invalid_request", failure == null ? "request refused" : failure.getMessage());
    } else {
      // the route's pattern, not the path: paths carry secrets (a gift's claim token, a media token)
      java.util.logging.Logger.getLogger(Errors.class.getName()).log(java.util.logging.Level.WARNING,
          "request failed: " + ctx.request().method() + " " + routePattern(ctx), failure);
      send(ctx, status >= 500 ? status : 500, "internal_error", "the gateway could not complete the request");
    }
  }

  /** {@code /api/v1/certificates/claims/:token} rather than the token itself; "(no route)" when unmatched. */
  static String routePattern(RoutingContext ctx) {
    io.vertx.ext.web.Route route = ctx.currentRoute();
    String path = route == null ? null : route.getPath();
    return path != null ? path : "(no route)";
  }
}
