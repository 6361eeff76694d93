package dev.mileage.gateway.http;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

import java.util.List;

/**
 * Runs the authenticators in order; the first that recognises the request decides. No credentials of
 * any kind, or refused ones, end the request with 401 (429 while locked out) and a JSON reason.
 */
final class AuthenticationHandler implements Handler<RoutingContext> {
  private final List<Authenticator> authenticators;

  AuthenticationHandler(List<Authenticator> authenticators) {
    this.authenticators = List.copyOf(authenticators);
  }

  @Override
  public void handle(RoutingContext ctx) {
    attempt(ctx, 0).onComplete(result -> {
      if (result.failed()) {
        Throwable t = result.cause();
        AuthenticationException refused = t instanceof AuthenticationException a ? a
            : new AuthenticationException(401, "invalid credentials");
        if (refused.status() == 401) {
          ctx.response().putHeader("WWW-Authenticate", "Basic realm=\"mileage\", charset=\"UTF-8\"");
        } else {
          ctx.response().putHeader("Retry-After", refused.status() == 503 ? "1" : "60");
        }
        Errors.send(ctx, refused.status(), refused.error(), refused.getMessage());
      } else if (result.result() == null) {
        ctx.response().putHeader("WWW-Authenticate", "Basic realm=\"mileage\", charset=\"UTF-8\"");
        Errors.send(ctx, 401, "unauthorized", "credentials required");
      } else {
        result.result().attachTo(ctx);
        ctx.next();
      }
    });
  }

  private Future<Caller> attempt(RoutingContext ctx, int index) {
    if (index >= authenticators.size()) return Future.succeededFuture(null);
    Future<Caller> answer;
    try {
      answer = authenticators.get(index).authenticate(ctx.request());
    } catch (RuntimeException e) {
      answer = Future.failedFuture(e);
    }
    return answer.compose(caller -> caller != null ? Future.succeededFuture(caller) : attempt(ctx, index + 1));
  }
}
