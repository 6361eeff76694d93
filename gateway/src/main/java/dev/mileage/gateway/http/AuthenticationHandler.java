package dev.mileage.gateway.http;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

import java.util.List;

/**
 * Runs the authenticators in order; the first that recognises the request decides. No credentials of
 * any kind, or refused ones, end the request with 401 (429 while locked out) and a JSON reason.
 * {@code /api/v1} has one already; a feature that authenticates a root route (an event stream, a
 * WebSocket upgrade) builds its own with its authenticators.
 */
public final class AuthenticationHandler implements Handler<RoutingContext> {
  private final List<Authenticator> authenticators;
  private final io.micrometer.core.instrument.MeterRegistry metrics;

  public AuthenticationHandler(List<Authenticator> authenticators, io.micrometer.core.instrument.MeterRegistry metrics) {
    this.authenticators = List.copyOf(authenticators);
    this.metrics = metrics;
  }

  private void count(int status) {
    metrics.counter("gateway_auth_refused", "status", Integer.toString(status)).increment();
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (Caller.of(ctx).isPresent()) {
      // authenticated already on this request (before its body was read): once is enough, a nonce is single-use
      ctx.next();
      return;
    }
    attempt(ctx, 0).onComplete(result -> {
      if (result.failed()) {
        Throwable t = result.cause();
        AuthenticationException refused = t instanceof AuthenticationException a ? a
            : new AuthenticationException(401, "invalid credentials");
        count(refused.status());
        closeIfBodyUnread(ctx);
        if (refused.status() == 401) {
          ctx.response().putHeader("WWW-Authenticate", "Basic realm=\"mileage\", charset=\"UTF-8\"");
        } else {
          ctx.response().putHeader("Retry-After", refused.status() == 503 ? "1" : "60");
        }
        Errors.send(ctx, refused.status(), refused.error(), refused.getMessage());
      } else if (result.result() == null) {
        count(401);
        closeIfBodyUnread(ctx);
        ctx.response().putHeader("WWW-Authenticate", "Basic realm=\"mileage\", charset=\"UTF-8\"");
        Errors.send(ctx, 401, "unauthorized", "credentials required");
      } else {
        result.result().attachTo(ctx);
        ctx.next();
      }
    });
  }

  /**
   * A refused caller's body is never read (it waits, paused, while credentials are checked): the connection then
   * closes after the answer, instead of the gateway reading a body nobody may send or the client waiting to send it.
   */
  private static void closeIfBodyUnread(RoutingContext ctx) {
    if (!ctx.request().isEnded() && ctx.request().version() != io.vertx.core.http.HttpVersion.HTTP_2) {
      ctx.response().putHeader("Connection", "close");
    }
  }

  private Future<Caller> attempt(RoutingContext ctx, int index) {
    if (index >= authenticators.size()) return Future.succeededFuture(null);
    Future<Caller> answer;
    try {
      answer = authenticators.get(index).authenticate(ctx.request(), ClientAddress.of(ctx));
    } catch (RuntimeException e) {
      answer = Future.failedFuture(e);
    }
    return answer.compose(caller -> caller != null ? Future.succeededFuture(caller) : attempt(ctx, index + 1));
  }
}
