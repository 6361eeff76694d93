package dev.mileage.gateway.members;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.concurrent.CompletionStage;

/** Small HTTP helpers shared by the members and shop routes: JSON bodies, one error shape, bounds. */
public final class Web {
  public static final int BODY_BYTES_MAX = 16 * 1024;

  private Web() {
  }

  /**
   * The JSON object body, or throws IllegalArgumentException (a 400) with a reason. JSON only, which also
   * keeps plain HTML forms of other sites out (they cannot send application/json without CORS).
   */
  public static JsonObject body(RoutingContext ctx) {
    return body(ctx, BODY_BYTES_MAX);
  }

  public static JsonObject body(RoutingContext ctx, int bytesMax) {
    if (ctx.body().length() > bytesMax) throw new IllegalArgumentException("body larger than " + bytesMax + " bytes");
    String type = ctx.request().getHeader("Content-Type");
    if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
      throw new IllegalArgumentException("Content-Type must be application/json");
    }
    try {
      JsonObject body = ctx.body().asJsonObject();
      if (body == null) throw new IllegalArgumentException("a JSON object body is required");
      return body;
    } catch (DecodeException | ClassCastException e) {
      throw new IllegalArgumentException("the body is not a JSON object");
    }
  }

  public static void json(RoutingContext ctx, int status, Object body) {
    if (ctx.response().ended()) return;
    ctx.response().setStatusCode(status)
        .putHeader("Content-Type", "application/json; charset=utf-8")
        .putHeader("Cache-Control", "no-store")
        .end(body instanceof JsonObject o ? o.encode() : io.vertx.core.json.Json.encode(body));
  }

  public static void error(RoutingContext ctx, int status, String error, String reason) {
    json(ctx, status, new JsonObject().put("error", error).put("reason", reason));
  }

  /**
   * Takes {@code hashes} Argon2 hashes from {@code key}'s allowance in {@code budget}, before any is computed. When it
   * is spent, answers 429 with Retry-After and {@code reason} and returns false: the caller then hashes and changes
   * nothing. A right password or PIN costs the server as much as a wrong one, so successes count too.
   */
  public static boolean hashingAllowed(RoutingContext ctx, GuessLimiter budget, String key, int hashes, String reason) {
    long wait = budget.tryCount(key, hashes);
    if (wait == 0) return true;
    ctx.response().putHeader("Retry-After", Long.toString(wait));
    json(ctx, 429, new JsonObject().put("error", "too_many_hashing_requests")
        .put("reason", reason + "; try again in " + wait + " seconds").put("retryAfterSeconds", wait));
    return false;
  }

  /** Runs a handler; bad input (IllegalArgumentException) becomes a 400, anything else a failure (500). */
  public static io.vertx.core.Handler<RoutingContext> handle(io.vertx.core.Handler<RoutingContext> handler) {
    return ctx -> {
      try {
        handler.handle(ctx);
      } catch (IllegalArgumentException e) {
        error(ctx, 400, "invalid_request", e.getMessage());
      }
    };
  }

  public static String requireText(JsonObject body, String field, int lengthMax) {
    Object value = body.getValue(field);
    if (!(value instanceof String s) || s.isBlank()) throw new IllegalArgumentException(field + " is required");
    if (s.length() > lengthMax) throw new IllegalArgumentException(field + " is longer than " + lengthMax);
    return s.strip();
  }

  public static String optionalText(JsonObject body, String field, int lengthMax) {
    Object value = body.getValue(field);
    if (value == null) return null;
    if (!(value instanceof String s)) throw new IllegalArgumentException(field + " must be text");
    if (s.length() > lengthMax) throw new IllegalArgumentException(field + " is longer than " + lengthMax);
    return s.isBlank() ? null : s.strip();
  }

  public static long requireLong(JsonObject body, String field, long min, long max) {
    Object value = body.getValue(field);
    if (!(value instanceof Number n) || n.doubleValue() != n.longValue()) {
      throw new IllegalArgumentException(field + " must be a whole number");
    }
    long v = n.longValue();
    if (v < min || v > max) throw new IllegalArgumentException(field + " must be in " + min + ".." + max);
    return v;
  }

  public static <T> Future<T> future(Vertx vertx, CompletionStage<T> stage) {
    return Future.fromCompletionStage(stage, vertx.getOrCreateContext());
  }

  public static <T> Future<T> blocking(Vertx vertx, java.util.concurrent.Callable<T> work) {
    return vertx.executeBlocking(work, false);
  }
}
